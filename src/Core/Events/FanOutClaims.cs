using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Events;

/// <summary>
/// Who fans an event out: a claim with a lease, so that two copies of one event (a redelivery, a retried
/// publish) never fan out twice, and a claim whose holder died expires; <c>done</c> once it is fanned out. The claim
/// records the fan-out's pending deliveries in the same write (one slot, the event's): a fan-out begins in one script.
/// </summary>
public sealed class FanOutClaims(RedisStorage redis, EventStore events, IOptions<StorageOptions> options)
{
    private readonly IDatabase _db = redis.Database;
    private readonly TimeSpan _retention = options.Value.EventRetention;
    private static readonly RedisScript Claim = RedisScript.Of<FanOutClaims>("fan-out-claim");
    private static readonly RedisScript Release = RedisScript.Of<FanOutClaims>("fan-out-release");

    /// <summary>
    /// Claims the fan-out of an event for <paramref name="lease"/> and, when claimed, records its <paramref name="deliveries"/> as pending
    /// (<see cref="DeliveryStore.AddOrGetPendingAsync"/>: each with the record it had already, if any) in the same script, the event's slot.
    /// Unless its publisher kept it (<paramref name="keptAlready"/>, <see cref="EventHeaders.Kept"/>), the event is kept there too and
    /// listed under its tenant (sent together: one round trip).
    /// </summary>
    public async Task<(FanOutClaim Claim, IReadOnlyList<(string Id, DeliveryRecord? Existing)> Deliveries)> ClaimAsync(
        StoredEvent stored, TimeSpan lease, bool keptAlready, IReadOnlyList<(string EndpointId, string DeliveryId)> deliveries)
    {
        var claim = Claim.RunAsync(_db, [RedisKeys.Event.FanOut(stored.Id), RedisKeys.Event.Record(stored.Id), RedisKeys.Delivery.Records(stored.Id)],
            [(long)lease.TotalMilliseconds, keptAlready ? "" : EventStore.Serialize(stored), (long)_retention.TotalMilliseconds, .. DeliveryStore.PendingArguments(deliveries)]);
        await Task.WhenAll(claim, keptAlready ? Task.CompletedTask : events.IndexAsync(stored));
        var answered = (RedisResult[])(await claim)!;
        switch ((long)answered[0])
        {
            case 0:
                return (FanOutClaim.Claimed, DeliveryStore.Added(deliveries, answered, 1));
            case 3:
                // Said to be kept, and not there (expired, or the header came from elsewhere): kept now.
                await events.SaveAsync(stored);
                return (FanOutClaim.Claimed, DeliveryStore.Added(deliveries, answered, 1));
            case 2:
                return (FanOutClaim.AlreadyDone, []);
            default:
                return (FanOutClaim.HeldElsewhere, []);
        }
    }

    /// <summary>Gives back the claim of a fan-out that failed, so that its retry need not wait out the lease.</summary>
    public Task ReleaseAsync(string eventId) => Release.RunAsync(_db, [RedisKeys.Event.FanOut(eventId)]);

    public Task MarkDoneAsync(string eventId) => _db.StringSetAsync(RedisKeys.Event.FanOut(eventId), "done", _retention);

    /// <summary>Whether the event has been fanned out (to its endpoints, or to none).</summary>
    public async Task<bool> IsDoneAsync(string eventId) => await _db.StringGetAsync(RedisKeys.Event.FanOut(eventId)) == "done";
}

/// <summary>What a claim of an event's fan-out came to.</summary>
public enum FanOutClaim
{
    Claimed,
    AlreadyDone,
    HeldElsewhere,
}
