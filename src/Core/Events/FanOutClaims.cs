using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Events;

/// <summary>
/// Who fans an event out: a claim with a lease, so that two copies of one event (a redelivery, a retried
/// publish) never fan out twice, and a claim whose holder died expires; <c>done</c> once it is fanned out.
/// </summary>
public sealed class FanOutClaims(RedisStorage redis, EventStore events, IOptions<StorageOptions> options)
{
    private readonly IDatabase _db = redis.Database;
    private readonly TimeSpan _retention = options.Value.EventRetention;
    private static readonly RedisScript Claim = RedisScript.Of<FanOutClaims>("fan-out-claim");
    private static readonly RedisScript Release = RedisScript.Of<FanOutClaims>("fan-out-release");

    /// <summary>
    /// Claims the fan-out of an event for <paramref name="lease"/>, and keeps the event unless it is kept already (in the
    /// claim's script: one slot) and lists it under its tenant (sent together: one round trip).
    /// </summary>
    public async Task<FanOutClaim> ClaimAsync(StoredEvent stored, TimeSpan lease)
    {
        var claim = Claim.RunAsync(_db, [RedisKeys.Event.FanOut(stored.Id), RedisKeys.Event.Record(stored.Id)],
            [(long)lease.TotalMilliseconds, EventStore.Serialize(stored), (long)_retention.TotalMilliseconds]);
        await Task.WhenAll(claim, events.IndexAsync(stored));
        return (long)await claim switch { 0 => FanOutClaim.Claimed, 2 => FanOutClaim.AlreadyDone, _ => FanOutClaim.HeldElsewhere };
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
