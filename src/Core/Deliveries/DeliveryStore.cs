using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Deliveries;

/// <summary>
/// The deliveries' records — one per (event, endpoint), in a hash with its event (its hash tag) — and each
/// endpoint's set of deliveries pending (queued, or waiting for a retry). A record moves to a new state by
/// compare-and-set (<see cref="ChangeAsync"/>), so that a delivery has one live retry chain (<see cref="DeliveryRecord.Chain"/>).
/// </summary>
public sealed class DeliveryStore(RedisStorage redis, IOptions<StorageOptions> options)
{
    private readonly IDatabase _db = redis.Database;
    private readonly TimeSpan _retention = options.Value.EventRetention;
    private static readonly RedisScript TimeIndex = RedisScript.Of<DeliveryStore>("time-index");
    private static readonly RedisScript AddPending = RedisScript.Of<DeliveryStore>("add-pending-deliveries");
    private static readonly RedisScript Replace = RedisScript.Of<DeliveryStore>("replace-delivery");

    /// <summary>
    /// Records a new pending delivery of the event for each endpoint, in one round trip, and returns
    /// each delivery's id (in the order given); a delivery the event already has for an endpoint (a
    /// fan-out interrupted before it finished) keeps its id and state. Each new one is counted pending at its endpoint.
    /// </summary>
    public async Task<IReadOnlyList<string>> AddPendingAsync(string eventId, IReadOnlyList<(string EndpointId, string DeliveryId)> deliveries)
    {
        var added = await AddOrGetPendingAsync(eventId, deliveries);
        await Task.WhenAll(deliveries.Where((_, i) => added[i].Existing is null).Select(d => IndexPendingAsync(d.EndpointId, d.DeliveryId)));
        return [.. added.Select(d => d.Id)];
    }

    /// <summary>
    /// As <see cref="AddPendingAsync"/>, with the record each endpoint's delivery already had, if any (null: added now):
    /// what an interrupted fan-out did for it before. None is counted pending at its endpoint yet: fan-out counts those it
    /// queues (<see cref="IndexPendingAsync"/>), and an attempt it makes itself is counted by its record if it is to be retried.
    /// </summary>
    public async Task<IReadOnlyList<(string Id, DeliveryRecord? Existing)>> AddOrGetPendingAsync(string eventId, IReadOnlyList<(string EndpointId, string DeliveryId)> deliveries)
    {
        if (deliveries.Count == 0)
        {
            return [];
        }
        var existing = (RedisResult[])(await AddPending.RunAsync(_db, [RedisKeys.Delivery.Records(eventId)], [(long)_retention.TotalMilliseconds, .. PendingArguments(deliveries)]))!;
        return Added(deliveries, existing, 0);
    }

    /// <summary>Per endpoint its id and its new pending record: the arguments of <c>add_pending</c> (pending-deliveries.lua), which the fan-out's claim runs too.</summary>
    internal static IEnumerable<RedisValue> PendingArguments(IReadOnlyList<(string EndpointId, string DeliveryId)> deliveries) =>
        deliveries.SelectMany(d => new RedisValue[] { d.EndpointId, Serialize(Pending(d.DeliveryId, d.EndpointId)) });

    /// <summary>What <c>add_pending</c> answered, from <paramref name="offset"/> on: each delivery's id, and the record it had already (null: added now).</summary>
    internal static IReadOnlyList<(string Id, DeliveryRecord? Existing)> Added(IReadOnlyList<(string EndpointId, string DeliveryId)> deliveries, RedisResult[] answered, int offset) =>
        [.. deliveries.Select((d, i) => answered[offset + i].IsNull ? (d.DeliveryId, null) : Deserialize((RedisValue)answered[offset + i]) is { } record ? (record.Id, record) : (d.DeliveryId, (DeliveryRecord?)null))];

    /// <summary>The event's delivery to the endpoint, or null when it has none.</summary>
    public async Task<DeliveryRecord?> GetAsync(string eventId, string endpointId) =>
        Deserialize(await _db.HashGetAsync(RedisKeys.Delivery.Records(eventId), endpointId));

    /// <summary>Which of the endpoints have a delivery of the event: one read (HMGET) for all of them.</summary>
    public async Task<IReadOnlySet<string>> WithDeliveryAsync(string eventId, IReadOnlyList<string> endpointIds)
    {
        if (endpointIds.Count == 0)
        {
            return new HashSet<string>();
        }
        var values = await _db.HashGetAsync(RedisKeys.Delivery.Records(eventId), [.. endpointIds.Select(id => (StackExchange.Redis.RedisValue)id)]);
        return endpointIds.Where((_, i) => !values[i].IsNull).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every delivery of the event (one per endpoint of its tenant at most: as many as its endpoint quota allows).</summary>
    public async Task<IReadOnlyList<DeliveryRecord>> AllAsync(string eventId) =>
        [.. (await _db.HashValuesAsync(RedisKeys.Delivery.Records(eventId))).Select(v => Deserialize(v)!)];

    /// <summary>A page of the event's deliveries in the order of their endpoints' ids, after the endpoint <paramref name="afterEndpointId"/>.</summary>
    public async Task<IReadOnlyList<DeliveryRecord>> PageAsync(string eventId, string? afterEndpointId, int limit)
    {
        var key = RedisKeys.Delivery.Records(eventId);
        var endpointIds = (await _db.HashKeysAsync(key)).Select(k => (string)k!)
            .Where(id => afterEndpointId is null || string.CompareOrdinal(id, afterEndpointId) > 0).Order(StringComparer.Ordinal).Take(limit).ToList();
        if (endpointIds.Count == 0)
        {
            return [];
        }
        var entries = await _db.HashGetAsync(key, [.. endpointIds.Select(id => (RedisValue)id)]);
        return [.. entries.Where(e => !e.IsNullOrEmpty).Select(e => Deserialize(e)!)];
    }

    /// <summary>
    /// Changes the event's delivery to the endpoint as <paramref name="change"/> says, from the record as it is when
    /// written (a change racing another is made again from the other's result); <paramref name="change"/> answers
    /// null to leave it. Returns the record written, or null when none was.
    /// </summary>
    public async Task<DeliveryRecord?> ChangeAsync(string eventId, string endpointId, Func<DeliveryRecord?, DeliveryRecord?> change)
    {
        var key = RedisKeys.Delivery.Records(eventId);
        for (var tries = 0; tries < 10; tries++)
        {
            var raw = await _db.HashGetAsync(key, endpointId);
            if (change(Deserialize(raw)) is not { } changed)
            {
                return null;
            }
            if ((long)await Replace.RunAsync(_db, [key], [endpointId, raw.IsNull ? "" : raw, Serialize(changed), (long)_retention.TotalMilliseconds]) == 1)
            {
                return changed;
            }
        }
        throw new InvalidOperationException($"The delivery of {eventId} to {endpointId} kept changing while it was being changed.");
    }

    /// <summary>
    /// Marks a delivery of <paramref name="chain"/> dead-lettered, as <paramref name="deadLetterId"/>; false (and nothing
    /// changed) when another chain has replaced that one: it is then not dead-lettered at all.
    /// </summary>
    public async Task<bool> MarkDeadLetteredAsync(string eventId, string endpointId, string deliveryId, string? chain, string reason, string deadLetterId)
    {
        var marked = await ChangeAsync(eventId, endpointId, existing => existing is not null && !existing.IsChain(chain) ? null
            : (existing ?? Pending(deliveryId, endpointId, chain)) with
            {
                Status = DeliveryStatus.DeadLettered, DeadLetterReason = reason, DeadLetterId = deadLetterId, Purged = false, UpdatedAt = DateTimeOffset.UtcNow,
            });
        await _db.SortedSetRemoveAsync(RedisKeys.Endpoint.Pending(endpointId), deliveryId);
        return marked is not null;
    }

    /// <summary>Notes that the delivery's dead letter was purged, so that recover and replay may send it again.</summary>
    public Task MarkPurgedAsync(string eventId, string endpointId, string deadLetterId) =>
        ChangeAsync(eventId, endpointId, existing => existing is { Status: DeliveryStatus.DeadLettered, Purged: false } && (existing.DeadLetterId ?? deadLetterId) == deadLetterId
            ? existing with { Purged = true, DeadLetterId = null, UpdatedAt = DateTimeOffset.UtcNow }
            : null);

    /// <summary>
    /// Claims a delivery whose dead letter was purged for sending again on <paramref name="chain"/>: of two recovers or
    /// replays racing for it, one gets the record (pending now, its attempts counted), the other null.
    /// </summary>
    public async Task<DeliveryRecord?> ClaimPurgedAsync(string eventId, string endpointId, string chain)
    {
        var claimed = await ChangeAsync(eventId, endpointId, existing => existing is { Status: DeliveryStatus.DeadLettered, Purged: true }
            ? Pending(existing.Id, endpointId, chain) with { Attempts = existing.Attempts, LastAttemptAt = existing.LastAttemptAt }
            : null);
        if (claimed is not null)
        {
            await IndexPendingAsync(endpointId, claimed.Id, keepEarlier: false);
        }
        return claimed;
    }

    /// <summary>
    /// Puts a delivery back to pending on a new <paramref name="chain"/> (it was redriven, resent, recovered or
    /// replayed), counting <paramref name="attempts"/> made so far; the chain it had, if any, ends.
    /// </summary>
    public async Task MarkPendingAsync(string eventId, string endpointId, string deliveryId, string chain, int attempts)
    {
        var key = RedisKeys.Delivery.Records(eventId);
        await _db.HashSetAsync(key, endpointId, Serialize(Pending(deliveryId, endpointId, chain) with { Attempts = attempts }));
        await _db.KeyExpireAsync(key, _retention);
        await IndexPendingAsync(endpointId, deliveryId, keepEarlier: false);
    }

    /// <summary>Counts the delivery pending at its endpoint (queued, or waiting for a retry), from now; a second call leaves it where it is.</summary>
    public Task IndexPendingAsync(string endpointId, string deliveryId) => IndexPendingAsync(endpointId, deliveryId, keepEarlier: true);

    /// <summary>Counts the delivery pending at its endpoint from now; <paramref name="keepEarlier"/>: an entry already there keeps its time (a new chain's does not).</summary>
    private Task IndexPendingAsync(string endpointId, string deliveryId, bool keepEarlier)
    {
        var retention = (long)_retention.TotalMilliseconds;
        return TimeIndex.RunAsync(_db, [RedisKeys.Endpoint.Pending(endpointId)], [DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), deliveryId, retention, keepEarlier ? "1" : "0", retention]);
    }

    /// <summary>How many deliveries to the endpoint are pending: queued, or waiting for a retry (within the retention).</summary>
    public Task<long> PendingCountAsync(string endpointId) =>
        _db.SortedSetLengthAsync(RedisKeys.Endpoint.Pending(endpointId), DateTimeOffset.UtcNow.Subtract(_retention).ToUnixTimeMilliseconds());

    /// <summary>A pending record: what fan-out and every requeue write before the delivery is sent.</summary>
    public static DeliveryRecord Pending(string deliveryId, string endpointId, string? chain = null) =>
        new() { Id = deliveryId, EndpointId = endpointId, Status = DeliveryStatus.Pending, UpdatedAt = DateTimeOffset.UtcNow, Chain = chain };

    private static string Serialize(DeliveryRecord record) => JsonSerializer.Serialize(record, WebhooksJson.Options);

    private static DeliveryRecord? Deserialize(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<DeliveryRecord>((string)value!, WebhooksJson.Options);
}
