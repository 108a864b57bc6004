using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Quotas;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Events;

/// <summary>
/// Events, the state of their deliveries and the attempts log, kept in Redis for the retention period.
/// An event's keys share its hash tag, an endpoint's and a tenant's theirs (<see cref="RedisKeys"/>): each
/// script works within one Redis Cluster slot, and what spans an event, its endpoints and its tenant is
/// written in steps sent together, each safe to repeat.
/// </summary>
public sealed class EventStore(RedisStorage redis, IOptions<StorageOptions> options, IOptions<QuotaOptions> quotas)
{
    private readonly IDatabase _db = redis.Database;
    private readonly StorageOptions _options = options.Value;

    private static readonly RedisScript TimeIndex = RedisScript.Of<EventStore>("time-index");
    private static readonly RedisScript Claim = RedisScript.Of<EventStore>("fan-out-claim");
    private static readonly RedisScript Release = RedisScript.Of<EventStore>("fan-out-release");
    private static readonly RedisScript AddPending = RedisScript.Of<EventStore>("add-pending-deliveries");
    private static readonly RedisScript EndpointAttempt = RedisScript.Of<EventStore>("endpoint-attempt");
    private static readonly RedisScript DeliveryAttempt = RedisScript.Of<EventStore>("delivery-attempt");
    private static readonly RedisScript ReplaceDelivery = RedisScript.Of<EventStore>("replace-delivery");

    private static string EventKey(string id) => RedisKeys.Event.Record(id);
    private static string DeliveriesKey(string eventId) => RedisKeys.Delivery.Records(eventId);
    private static string FannedOutKey(string eventId) => RedisKeys.Event.FanOut(eventId);
    private static string DeliveryAttemptsKey(string eventId, string deliveryId) => RedisKeys.Delivery.Attempts(eventId, deliveryId);
    private static string EndpointAttemptsKey(string endpointId) => RedisKeys.Endpoint.Attempts(endpointId);
    private static string EndpointAttemptBytesKey(string endpointId) => RedisKeys.Endpoint.AttemptBytes(endpointId);
    private static string TenantEventsKey(string tenant) => RedisKeys.Tenant.Events(tenant);


    /// <summary>
    /// Keeps the event, and lists it under its tenant (a test event is not listed: it is not one of the tenant's events),
    /// unless one with its id is already kept; false when one was.
    /// </summary>
    public async Task<bool> SaveAsync(StoredEvent stored)
    {
        var saved = _db.StringSetAsync(EventKey(stored.Id), Serialize(stored), _options.EventRetention, When.NotExists);
        await Task.WhenAll(saved, stored.Test ? Task.CompletedTask : IndexAsync(stored));
        return await saved;
    }

    // The index holds id and type, so that a list filtered by type reads no event's data.
    private Task IndexAsync(StoredEvent stored) =>
        TimeIndex.RunAsync(_db, [TenantEventsKey(stored.Tenant)], [stored.ReceivedAt.ToUnixTimeMilliseconds(), $"{stored.Id}|{stored.Type}", (long)_options.EventRetention.TotalMilliseconds, "1", (long)_options.EventRetention.TotalMilliseconds]);

    /// <summary>Index entries looked at per page at most (see <see cref="ListAsync"/>).</summary>
    public const int MaxScannedPerPage = 5000;

    /// <summary>
    /// A page of the tenant's events, newest first, that match <paramref name="query"/>, after
    /// <paramref name="after"/>; like a dead-letter page, it looks at no more than
    /// <see cref="MaxScannedPerPage"/> entries and may be short (even empty) with a next.
    /// </summary>
    public async Task<EventPage> ListAsync(EventQuery query, IndexPosition? after, int limit)
    {
        var until = query.Until is { } u ? u.ToUnixTimeMilliseconds() : double.PositiveInfinity;
        var since = query.Since is { } s ? s.ToUnixTimeMilliseconds() : double.NegativeInfinity;
        var walk = new IndexWalk(_db, [TenantEventsKey(query.Tenant)], since, until, after, 200);
        var found = new List<EventSummary>(limit);
        var scanned = 0;
        while (await walk.NextPageAsync(200) is { Count: > 0 } entries)
        {
            var candidates = entries.Select(e => (Entry: e, Parts: ((string)e.Element!).Split('|', 2))).ToList();
            var statuses = await Task.WhenAll(candidates.Select(async c => query.Type is not null && !EventTypeFilter.Matches(query.Type, c.Parts[1]) ? null : await StatusAsync(c.Parts[0])));
            foreach (var ((entry, parts), status) in candidates.Zip(statuses))
            {
                scanned++;
                if (status is not null && (query.Status is null || status == query.Status))
                {
                    found.Add(new EventSummary(parts[0], parts[1], query.Tenant, DateTimeOffset.FromUnixTimeMilliseconds((long)entry.Score), status));
                }
                if (found.Count == limit || scanned >= MaxScannedPerPage)
                {
                    return new EventPage(found, new IndexPosition(entry.Score, entry.Element!));
                }
            }
        }
        return new EventPage(found, null);
    }

    /// <summary>
    /// The tenant's events in the window, newest first, of a type <paramref name="subscribes"/> takes, that
    /// the endpoint never got: no delivery to it at all (it was created, or subscribed, after them), or one
    /// whose dead letter was purged; at most <see cref="MaxScannedPerPage"/> looked at, and where to go on (null at the end).
    /// </summary>
    public async Task<(IReadOnlyList<string> EventIds, IndexPosition? Next)> NeverDeliveredAsync(string tenant, string endpointId, Func<string, bool> subscribes,
        DateTimeOffset since, DateTimeOffset? until, IndexPosition? after)
    {
        var walk = new IndexWalk(_db, [TenantEventsKey(tenant)], since.ToUnixTimeMilliseconds(), until?.ToUnixTimeMilliseconds() ?? double.PositiveInfinity, after, 500);
        var missing = new List<string>();
        var scanned = 0;
        while (await walk.NextPageAsync(500) is { Count: > 0 } entries)
        {
            var candidates = entries.Select(e => (Entry: e, Parts: ((string)e.Element!).Split('|', 2))).Where(c => subscribes(c.Parts[1])).ToList();
            // No delivery at all, or one whose dead letter was purged: the endpoint never got it and nothing holds it.
            var records = await Task.WhenAll(candidates.Select(c => _db.HashGetAsync(DeliveriesKey(c.Parts[0]), endpointId)));
            missing.AddRange(candidates.Zip(records).Where(c => Deserialize<DeliveryRecord>(c.Second) is not { } record || record is { Status: DeliveryStatus.DeadLettered, Purged: true })
                .Select(c => c.First.Parts[0]));
            scanned += entries.Count;
            if (scanned >= MaxScannedPerPage)
            {
                return (missing, new IndexPosition(entries[^1].Score, entries[^1].Element!));
            }
        }
        return (missing, null);
    }

    /// <summary>
    /// Where an event stands, from its deliveries: <c>dead_lettered</c> when one is, else <c>failing</c>
    /// when one is being retried, else <c>pending</c> while one (or the fan-out) is, else <c>delivered</c>;
    /// <c>no_endpoints</c> when it was fanned out to none.
    /// </summary>
    public async Task<string> StatusAsync(string eventId)
    {
        var deliveries = _db.HashValuesAsync(DeliveriesKey(eventId));
        var fannedOut = _db.StringGetAsync(FannedOutKey(eventId));
        var statuses = (await deliveries).Select(d => Deserialize<DeliveryRecord>(d)!.Status).ToHashSet();
        return statuses.Contains(DeliveryStatus.DeadLettered) ? EventStatus.DeadLettered
            : statuses.Contains(DeliveryStatus.Failed) ? EventStatus.Failing
            : statuses.Contains(DeliveryStatus.Pending) || await fannedOut != "done" ? EventStatus.Pending
            : statuses.Count == 0 ? EventStatus.NoEndpoints
            : EventStatus.Delivered;
    }

    public async Task<StoredEvent?> GetAsync(string id) => Deserialize<StoredEvent>(await _db.StringGetAsync(EventKey(id)));




    private static string EndpointPendingKey(string endpointId) => RedisKeys.Endpoint.Pending(endpointId);

    /// <summary>How many deliveries to the endpoint are pending: queued, or waiting for a retry (within the retention).</summary>
    public Task<long> PendingCountAsync(string endpointId) =>
        _db.SortedSetLengthAsync(EndpointPendingKey(endpointId), DateTimeOffset.UtcNow.Subtract(_options.EventRetention).ToUnixTimeMilliseconds());




    /// <summary>Tenants' attempt-log byte quotas as last read, and when (ms of <see cref="Environment.TickCount64"/>): read again after 30 s.</summary>
    private readonly RecentlyUsed<string, (long Bytes, long ReadAt)> _attemptLogBytes = new(10_000, TimeSpan.FromMinutes(10));

    private async Task<long> AttemptLogBytesAsync(string tenant)
    {
        var now = Environment.TickCount64;
        if (_attemptLogBytes.TryGetValue(tenant, out var known) && now - known.ReadAt < 30_000)
        {
            return known.Bytes;
        }
        var overridden = await _db.HashGetAsync(RedisKeys.Tenant.QuotaOverrides(tenant), TenantQuotaStore.AttemptLogBytesField);
        // RedisValue reads a missing field as 0: only a value set is an override.
        var bytes = !overridden.IsNull && overridden.TryParse(out long value) ? value : quotas.Value.AttemptLogBytes;
        _attemptLogBytes.Set(tenant, (bytes, now));
        return bytes;
    }

    /// <summary>
    /// Claims the fan-out of an event for <paramref name="lease"/>, so that two copies of one event
    /// (a redelivery, a retried publish) never fan out twice (a claim whose holder died expires),
    /// and keeps the event unless it is kept already — in one round trip.
    /// </summary>
    public async Task<FanOutClaim> ClaimFanOutAsync(StoredEvent stored, TimeSpan lease)
    {
        // Listed under its tenant beside the claim (an entry already there stays as it is).
        var claim = Claim.RunAsync(_db, [FannedOutKey(stored.Id), EventKey(stored.Id)],
            [(long)lease.TotalMilliseconds, Serialize(stored), (long)_options.EventRetention.TotalMilliseconds]);
        await Task.WhenAll(claim, IndexAsync(stored));
        return (long)await claim switch { 0 => FanOutClaim.Claimed, 2 => FanOutClaim.AlreadyDone, _ => FanOutClaim.HeldElsewhere };
    }


    /// <summary>Gives back the claim of a fan-out that failed, so that its retry need not wait out the lease.</summary>
    public Task ReleaseFanOutAsync(string eventId) => Release.RunAsync(_db, [FannedOutKey(eventId)]);

    public Task MarkFannedOutAsync(string eventId) => _db.StringSetAsync(FannedOutKey(eventId), "done", _options.EventRetention);

    /// <summary>
    /// Records a new pending delivery of the event for each endpoint, in one round trip, and returns
    /// each delivery's id (in the order given); a delivery the event already has for an endpoint (a
    /// fan-out interrupted before it finished) keeps its id and state.
    /// </summary>
    public async Task<IReadOnlyList<string>> AddPendingDeliveriesAsync(string eventId, IReadOnlyList<(string EndpointId, string DeliveryId)> deliveries)
    {
        if (deliveries.Count == 0)
        {
            return [];
        }
        var retention = (long)_options.EventRetention.TotalMilliseconds;
        var args = new RedisValue[1 + deliveries.Count * 2];
        args[0] = retention;
        for (var i = 0; i < deliveries.Count; i++)
        {
            args[1 + i * 2] = deliveries[i].EndpointId;
            args[2 + i * 2] = Serialize(Pending(deliveries[i].DeliveryId, deliveries[i].EndpointId));
        }
        var existing = (RedisResult[])(await AddPending.RunAsync(_db, [DeliveriesKey(eventId)], args))!;
        // Each new delivery counted pending at its endpoint, all sent together (each endpoint its own slot).
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.WhenAll(deliveries.Where((_, i) => existing[i].IsNull)
            .Select(d => TimeIndex.RunAsync(_db, [EndpointPendingKey(d.EndpointId)], [now, d.DeliveryId, retention, "0", retention])));
        return [.. deliveries.Select((d, i) => existing[i].IsNull ? d.DeliveryId : Deserialize<DeliveryRecord>((RedisValue)existing[i])?.Id ?? d.DeliveryId)];
    }

    /// <summary>A page of the event's deliveries in the order of their endpoints' ids, after the endpoint <paramref name="afterEndpointId"/>.</summary>
    public async Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesAsync(string eventId, string? afterEndpointId, int limit)
    {
        // One field per endpoint of the tenant: as many as its endpoint quota allows, ids only.
        var endpointIds = (await _db.HashKeysAsync(DeliveriesKey(eventId))).Select(k => (string)k!)
            .Where(id => afterEndpointId is null || string.CompareOrdinal(id, afterEndpointId) > 0).Order(StringComparer.Ordinal).Take(limit).ToList();
        if (endpointIds.Count == 0)
        {
            return [];
        }
        var entries = await _db.HashGetAsync(DeliveriesKey(eventId), [.. endpointIds.Select(id => (RedisValue)id)]);
        return [.. entries.Where(e => !e.IsNullOrEmpty).Select(e => Deserialize<DeliveryRecord>(e)!)];
    }

    /// <summary>
    /// Appends an attempt to the delivery's and the endpoint's bounded logs (the endpoint's by count and by
    /// the bytes its tenant's quota allows) and moves the delivery to its new status — unless another chain
    /// has replaced the attempt's <paramref name="chain"/> meanwhile: then false, and that chain goes no further.
    /// <paramref name="final"/>: no attempt follows, whatever this one's outcome (a test's).
    /// </summary>
    public async Task<bool> RecordAttemptAsync(DeliveryAttempt attempt, string tenant, string status, string? chain = null, bool final = false)
    {
        var record = new DeliveryRecord
        {
            Id = attempt.DeliveryId,
            EndpointId = attempt.EndpointId,
            Status = status,
            Attempts = attempt.Number,
            LastAttemptAt = attempt.At,
            UpdatedAt = DateTimeOffset.UtcNow,
            Chain = chain,
        };
        // Two scripts sent together, the endpoint's and the event's (each its own slot); each safe to run again.
        var stats = EndpointStats.Of(attempt.EndpointId, attempt.At, attempt.DurationMs);
        var json = Serialize(attempt);
        var retention = (long)_options.EventRetention.TotalMilliseconds;
        var logBytes = await AttemptLogBytesAsync(tenant);
        var current = DeliveryAttempt.RunAsync(_db, [DeliveryAttemptsKey(attempt.EventId, attempt.DeliveryId), DeliveriesKey(attempt.EventId)],
            [json, _options.AttemptsPerDelivery, retention, attempt.EndpointId, Serialize(record), chain ?? ""]);
        await Task.WhenAll(
            current,
            EndpointAttempt.RunAsync(_db,
                [EndpointAttemptsKey(attempt.EndpointId), EndpointAttemptBytesKey(attempt.EndpointId), stats.Fine, stats.Coarse, stats.Summary, EndpointPendingKey(attempt.EndpointId)],
                [json, _options.AttemptsPerEndpoint, retention, logBytes, attempt.Succeeded ? "ok" : "failed", stats.LatencyField, attempt.At.ToUnixTimeMilliseconds(),
                    (long)EndpointStats.Kept.TotalMilliseconds, attempt.DeliveryId, final ? "1" : "0", attempt.Succeeded ? "" : EndpointStats.FailureField(attempt.StatusCode, attempt.Error)]));
        return (long)await current == 1;
    }

    /// <summary>The event's delivery to the endpoint, or null when it has none.</summary>
    public async Task<DeliveryRecord?> GetDeliveryAsync(string eventId, string endpointId) =>
        Deserialize<DeliveryRecord>(await _db.HashGetAsync(DeliveriesKey(eventId), endpointId));

    /// <summary>
    /// Changes the event's delivery to the endpoint as <paramref name="change"/> says, from the record as it is when
    /// written (a change racing another is made again from the other's result); <paramref name="change"/> answers
    /// null to leave it. Returns the record written, or null when none was.
    /// </summary>
    public async Task<DeliveryRecord?> ChangeDeliveryAsync(string eventId, string endpointId, Func<DeliveryRecord?, DeliveryRecord?> change)
    {
        for (var tries = 0; tries < 10; tries++)
        {
            var raw = await _db.HashGetAsync(DeliveriesKey(eventId), endpointId);
            if (change(Deserialize<DeliveryRecord>(raw)) is not { } changed)
            {
                return null;
            }
            if ((long)await ReplaceDelivery.RunAsync(_db, [DeliveriesKey(eventId)],
                    [endpointId, raw.IsNull ? "" : raw, Serialize(changed), (long)_options.EventRetention.TotalMilliseconds]) == 1)
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
        var marked = await ChangeDeliveryAsync(eventId, endpointId, existing => existing is not null && !existing.IsChain(chain) ? null
            : (existing ?? Pending(deliveryId, endpointId, chain)) with
            {
                Status = DeliveryStatus.DeadLettered, DeadLetterReason = reason, DeadLetterId = deadLetterId, Purged = false, UpdatedAt = DateTimeOffset.UtcNow,
            });
        await _db.SortedSetRemoveAsync(EndpointPendingKey(endpointId), deliveryId);
        return marked is not null;
    }

    /// <summary>Notes that the delivery's dead letter was purged, so that recover and replay may send it again.</summary>
    public Task MarkPurgedAsync(string eventId, string endpointId, string deadLetterId) =>
        ChangeDeliveryAsync(eventId, endpointId, existing => existing is { Status: DeliveryStatus.DeadLettered, Purged: false } && (existing.DeadLetterId ?? deadLetterId) == deadLetterId
            ? existing with { Purged = true, DeadLetterId = null, UpdatedAt = DateTimeOffset.UtcNow }
            : null);

    /// <summary>
    /// Claims a delivery whose dead letter was purged for sending again on <paramref name="chain"/>: of two recovers or
    /// replays racing for it, one gets the record (pending now, its attempts counted), the other null.
    /// </summary>
    public async Task<DeliveryRecord?> ClaimPurgedAsync(string eventId, string endpointId, string chain)
    {
        var claimed = await ChangeDeliveryAsync(eventId, endpointId, existing => existing is { Status: DeliveryStatus.DeadLettered, Purged: true }
            ? Pending(existing.Id, endpointId, chain) with { Attempts = existing.Attempts, LastAttemptAt = existing.LastAttemptAt }
            : null);
        if (claimed is not null)
        {
            await AddToPendingAsync(endpointId, claimed.Id);
        }
        return claimed;
    }

    /// <summary>
    /// Puts a delivery back to pending on a new <paramref name="chain"/> (it was redriven, resent, recovered or
    /// replayed), counting <paramref name="attempts"/> made so far; the chain it had, if any, ends.
    /// </summary>
    public async Task MarkPendingAsync(string eventId, string endpointId, string deliveryId, string chain, int attempts)
    {
        var record = Pending(deliveryId, endpointId, chain) with { Attempts = attempts };
        await _db.HashSetAsync(DeliveriesKey(eventId), endpointId, Serialize(record));
        await _db.KeyExpireAsync(DeliveriesKey(eventId), _options.EventRetention);
        await AddToPendingAsync(endpointId, deliveryId);
    }

    private async Task AddToPendingAsync(string endpointId, string deliveryId)
    {
        await _db.SortedSetAddAsync(EndpointPendingKey(endpointId), deliveryId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await _db.KeyExpireAsync(EndpointPendingKey(endpointId), _options.EventRetention);
    }

    /// <summary>A delivery's latest <paramref name="count"/> attempts, oldest first.</summary>
    public async Task<IReadOnlyList<DeliveryAttempt>> GetAttemptsAsync(string eventId, string deliveryId, int count)
    {
        var entries = await _db.ListRangeAsync(DeliveryAttemptsKey(eventId, deliveryId), 0, count - 1);
        return [.. entries.Reverse().Select(e => Deserialize<DeliveryAttempt>(e)!)];
    }

    /// <summary>
    /// A page of an endpoint's attempts, newest first, after the attempt <paramref name="after"/>
    /// names, and the attempt to go on after (null at the end). The log is bounded, so finding the
    /// place is too; when the attempt named has been trimmed from the log meanwhile, so has all
    /// that came after it, and the page is empty.
    /// </summary>
    public async Task<(IReadOnlyList<DeliveryAttempt> Attempts, DeliveryAttempt? Next)> GetEndpointAttemptsAsync(string endpointId, AttemptPosition? after, int count)
    {
        const int chunk = 200;
        var found = new List<DeliveryAttempt>(count);
        var passed = after is null;
        for (long start = 0; ; start += chunk)
        {
            var entries = await _db.ListRangeAsync(EndpointAttemptsKey(endpointId), start, start + chunk - 1);
            foreach (var attempt in entries.Select(e => Deserialize<DeliveryAttempt>(e)!))
            {
                if (!passed)
                {
                    passed = after!.Names(attempt);
                    continue;
                }
                if (found.Count == count)
                {
                    return (found, found[^1]);
                }
                found.Add(attempt);
            }
            if (entries.Length < chunk)
            {
                return (found, null);
            }
        }
    }

    private static DeliveryRecord Pending(string deliveryId, string endpointId, string? chain = null) =>
        new() { Id = deliveryId, EndpointId = endpointId, Status = DeliveryStatus.Pending, UpdatedAt = DateTimeOffset.UtcNow, Chain = chain };

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, WebhooksJson.Options);

    private static T? Deserialize<T>(RedisValue value) where T : class =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<T>((string)value!, WebhooksJson.Options);
}
