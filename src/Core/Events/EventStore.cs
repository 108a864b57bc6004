using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Quotas;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Events;

/// <summary>Events, the state of their deliveries and the attempts log, kept in Redis for the retention period.</summary>
public sealed class EventStore(RedisStorage redis, IOptions<StorageOptions> options, IOptions<QuotaOptions> quotas)
{
    private readonly IDatabase _db = redis.Database;
    private readonly StorageOptions _options = options.Value;

    internal static string EventKey(string id) => $"event:{id}";
    private static string DeliveriesKey(string eventId) => $"event:{eventId}:deliveries";
    private static string FannedOutKey(string eventId) => $"event:{eventId}:fanned-out";
    private static string DeliveryAttemptsKey(string deliveryId) => $"delivery:{deliveryId}:attempts";
    /// <summary>The endpoint's attempt log, newest first: bounded, kept for the retention after its last attempt, dropped with the endpoint.</summary>
    internal static string EndpointAttemptsKey(string endpointId) => $"endpoint:{endpointId}:attempts";
    internal static string EndpointAttemptBytesKey(string endpointId) => $"endpoint:{endpointId}:attempts:bytes";

    /// <summary>The tenant's events by the time they were received (ms), trimmed to the retention as events are added.</summary>
    internal static string TenantEventsKey(string tenant) => $"tenant:{tenant}:events";

    // KEYS: the event, its tenant's index. ARGV: the event's JSON, retention ms, received at (ms), its id.
    // 1 when kept now (and indexed), 0 when one with its id already was.
    private const string SaveScript = """
        if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]))
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        return 1
        """;

    /// <summary>Keeps the event, and lists it under its tenant, unless one with its id is already kept; false when one was.</summary>
    public async Task<bool> SaveAsync(StoredEvent stored) =>
        (long)await _db.ScriptEvaluateAsync(SaveScript, [EventKey(stored.Id), TenantEventsKey(stored.Tenant)], SaveArguments(stored)) == 1;

    // The index holds id and type, so that a list filtered by type reads no event's data.
    private RedisValue[] SaveArguments(StoredEvent stored) =>
        [Serialize(stored), (long)_options.EventRetention.TotalMilliseconds, stored.ReceivedAt.ToUnixTimeMilliseconds(), $"{stored.Id}|{stored.Type}"];

    /// <summary>Index entries looked at per page at most (see <see cref="ListAsync"/>).</summary>
    public const int MaxScannedPerPage = 5000;

    /// <summary>
    /// A page of the tenant's events, newest first, that match <paramref name="query"/>, after
    /// <paramref name="after"/>; like a dead-letter page, it looks at no more than
    /// <see cref="MaxScannedPerPage"/> entries and may be short (even empty) with a next.
    /// </summary>
    public async Task<EventPage> ListAsync(EventQuery query, IndexPosition? after, int limit)
    {
        var key = TenantEventsKey(query.Tenant);
        var until = query.Until is { } u ? u.ToUnixTimeMilliseconds() : double.PositiveInfinity;
        var (max, exclude) = after is not null && after.Score < until ? (after.Score, Exclude.None) : (until, Exclude.Stop);
        var min = query.Since is { } since ? since.ToUnixTimeMilliseconds() : double.NegativeInfinity;
        var found = new List<EventSummary>(limit);
        const int chunk = 200;
        var scanned = 0;
        for (var start = 0L; ; start += chunk)
        {
            var entries = await _db.SortedSetRangeByScoreWithScoresAsync(key, min, max, exclude, Order.Descending, start, chunk);
            var candidates = entries
                .Where(e => after is null || e.Score < after.Score || string.CompareOrdinal(e.Element, after.Id) < 0)
                .Select(e => (Entry: e, Parts: ((string)e.Element!).Split('|', 2)))
                .ToList();
            var statuses = await Task.WhenAll(candidates.Select(async c => query.Type is not null && c.Parts[1] != query.Type ? null : await StatusAsync(c.Parts[0])));
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
            if (entries.Length < chunk)
            {
                return new EventPage(found, null);
            }
        }
    }

    /// <summary>
    /// The tenant's events in the window, newest first, of a type <paramref name="subscribes"/> takes, that
    /// have no delivery to the endpoint at all (it was created, or subscribed, after them); at most
    /// <see cref="MaxScannedPerPage"/> looked at, and where to go on (null at the end).
    /// </summary>
    public async Task<(IReadOnlyList<string> EventIds, IndexPosition? Next)> NeverDeliveredAsync(string tenant, string endpointId, Func<string, bool> subscribes,
        DateTimeOffset since, DateTimeOffset? until, IndexPosition? after)
    {
        var key = TenantEventsKey(tenant);
        var max = after?.Score ?? (until is { } u ? u.ToUnixTimeMilliseconds() : double.PositiveInfinity);
        var exclude = after is null && until is not null ? Exclude.Stop : Exclude.None;
        var missing = new List<string>();
        const int chunk = 500;
        var scanned = 0;
        for (var start = 0L; ; start += chunk)
        {
            var entries = await _db.SortedSetRangeByScoreWithScoresAsync(key, since.ToUnixTimeMilliseconds(), max, exclude, Order.Descending, start, chunk);
            var candidates = entries
                .Where(e => after is null || e.Score < after.Score || string.CompareOrdinal(e.Element, after.Id) < 0)
                .Select(e => (Entry: e, Parts: ((string)e.Element!).Split('|', 2)))
                .Where(c => subscribes(c.Parts[1]))
                .ToList();
            var delivered = await Task.WhenAll(candidates.Select(c => _db.HashExistsAsync(DeliveriesKey(c.Parts[0]), endpointId)));
            missing.AddRange(candidates.Zip(delivered).Where(c => !c.Second).Select(c => c.First.Parts[0]));
            scanned += entries.Length;
            if (entries.Length < chunk)
            {
                return (missing, null);
            }
            if (scanned >= MaxScannedPerPage)
            {
                return (missing, new IndexPosition(entries[^1].Score, entries[^1].Element!));
            }
        }
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

    // KEYS: the fan-out claim, the event, its tenant's index. ARGV: lease ms, event JSON, retention ms,
    // received at (ms), its id. 0 claimed (and the event kept and indexed unless it was), 1 held by another
    // copy, 2 already fanned out.
    private const string ClaimScript = """
        if redis.call('SET', KEYS[1], 'claimed', 'NX', 'PX', ARGV[1]) then
          if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
            redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
            redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[4]) - tonumber(ARGV[3]))
            redis.call('PEXPIRE', KEYS[3], ARGV[3])
          end
          return 0
        end
        if redis.call('GET', KEYS[1]) == 'done' then return 2 end
        return 1
        """;

    // KEYS: the event's deliveries, then per endpoint its pending deliveries. ARGV: retention ms, now (ms),
    // then per endpoint its id, its pending record and the delivery id. Returns, per endpoint, false when
    // the pending record was added (and the delivery counted pending), else the record it already had.
    private const string AddPendingScript = """
        local existing = {}
        for i = 3, #ARGV, 3 do
          local endpoint = (i - 3) / 3 + 2
          if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
            existing[#existing + 1] = false
            redis.call('ZADD', KEYS[endpoint], ARGV[2], ARGV[i + 2])
            redis.call('ZREMRANGEBYSCORE', KEYS[endpoint], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[1]))
            redis.call('PEXPIRE', KEYS[endpoint], ARGV[1])
          else
            existing[#existing + 1] = redis.call('HGET', KEYS[1], ARGV[i])
          end
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return existing
        """;

    /// <summary>An endpoint's deliveries not yet delivered nor dead-lettered (queued, or waiting for a retry), by when they became so.</summary>
    internal static string EndpointPendingKey(string endpointId) => $"endpoint:{endpointId}:pending";

    /// <summary>How many deliveries to the endpoint are pending: queued, or waiting for a retry (within the retention).</summary>
    public Task<long> PendingCountAsync(string endpointId) =>
        _db.SortedSetLengthAsync(EndpointPendingKey(endpointId), DateTimeOffset.UtcNow.Subtract(_options.EventRetention).ToUnixTimeMilliseconds());

    // KEYS: the delivery's attempts, the endpoint's attempts, the event's deliveries, the bytes of the
    // endpoint's attempts, the tenant's quota overrides, the endpoint's five-minute and hourly stats
    // buckets and its stats summary, its pending deliveries. ARGV: the attempt, attempts kept per delivery, attempts kept per
    // endpoint, retention ms, the endpoint id, the delivery's record, the default attempt-log bytes per
    // endpoint, 'ok' or 'failed', the latency bucket, the attempt's time (ms), stats kept (ms), the delivery id. The endpoint's log drops its oldest past either bound (the newest always stays).
    private const string RecordAttemptScript = """
        redis.call('LPUSH', KEYS[1], ARGV[1])
        redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        local length = redis.call('LPUSH', KEYS[2], ARGV[1])
        local bytes = redis.call('INCRBY', KEYS[4], #ARGV[1])
        local count = tonumber(ARGV[3])
        local limit = tonumber(redis.call('HGET', KEYS[5], 'attemptLogBytes')) or tonumber(ARGV[7])
        while length > 1 and (length > count or bytes > limit) do
          bytes = redis.call('DECRBY', KEYS[4], #redis.call('RPOP', KEYS[2]))
          length = length - 1
        end
        if bytes < #ARGV[1] then redis.call('SET', KEYS[4], #ARGV[1]) end
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        redis.call('PEXPIRE', KEYS[4], ARGV[4])
        redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
        redis.call('PEXPIRE', KEYS[3], ARGV[4])
        for i = 6, 7 do
          redis.call('HINCRBY', KEYS[i], ARGV[8], 1)
          redis.call('HINCRBY', KEYS[i], ARGV[9], 1)
          redis.call('PEXPIRE', KEYS[i], ARGV[11])
        end
        redis.call('HSET', KEYS[8], ARGV[8] == 'ok' and 'lastSuccessAt' or 'lastFailureAt', ARGV[10])
        redis.call('PEXPIRE', KEYS[8], ARGV[11])
        if ARGV[8] == 'ok' then redis.call('ZREM', KEYS[9], ARGV[12]) end
        return 1
        """;

    /// <summary>
    /// Claims the fan-out of an event for <paramref name="lease"/>, so that two copies of one event
    /// (a redelivery, a retried publish) never fan out twice (a claim whose holder died expires),
    /// and keeps the event unless it is kept already — in one round trip.
    /// </summary>
    public async Task<FanOutClaim> ClaimFanOutAsync(StoredEvent stored, TimeSpan lease)
    {
        var result = (long)await _db.ScriptEvaluateAsync(ClaimScript, [FannedOutKey(stored.Id), EventKey(stored.Id), TenantEventsKey(stored.Tenant)],
            [(long)lease.TotalMilliseconds, .. SaveArguments(stored)]);
        return result switch { 0 => FanOutClaim.Claimed, 2 => FanOutClaim.AlreadyDone, _ => FanOutClaim.HeldElsewhere };
    }

    // KEYS: the event's fan-out marker. Drops a claim (not a 'done'); a claim carries no owner, so this is
    // called only by the copy that holds it, before its lease ends.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == 'claimed' then redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <summary>Gives back the claim of a fan-out that failed, so that its retry need not wait out the lease.</summary>
    public Task ReleaseFanOutAsync(string eventId) => _db.ScriptEvaluateAsync(ReleaseScript, [FannedOutKey(eventId)]);

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
        var args = new RedisValue[2 + deliveries.Count * 3];
        args[0] = (long)_options.EventRetention.TotalMilliseconds;
        args[1] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < deliveries.Count; i++)
        {
            args[2 + i * 3] = deliveries[i].EndpointId;
            args[3 + i * 3] = Serialize(Pending(deliveries[i].DeliveryId, deliveries[i].EndpointId));
            args[4 + i * 3] = deliveries[i].DeliveryId;
        }
        RedisKey[] keys = [DeliveriesKey(eventId), .. deliveries.Select(d => (RedisKey)EndpointPendingKey(d.EndpointId))];
        var existing = (RedisResult[])(await _db.ScriptEvaluateAsync(AddPendingScript, keys, args))!;
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
    /// the bytes its tenant's quota allows) and moves the delivery to its new status.
    /// </summary>
    public async Task RecordAttemptAsync(DeliveryAttempt attempt, string tenant, string status, string? deadLetterReason = null)
    {
        var record = new DeliveryRecord
        {
            Id = attempt.DeliveryId,
            EndpointId = attempt.EndpointId,
            Status = status,
            Attempts = attempt.Number,
            LastAttemptAt = attempt.At,
            DeadLetterReason = deadLetterReason,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        // One script, atomic like the transaction it replaces, and one operation instead of nine.
        var stats = EndpointStats.Of(attempt.EndpointId, attempt.At, attempt.DurationMs);
        await _db.ScriptEvaluateAsync(RecordAttemptScript,
            [DeliveryAttemptsKey(attempt.DeliveryId), EndpointAttemptsKey(attempt.EndpointId), DeliveriesKey(attempt.EventId), EndpointAttemptBytesKey(attempt.EndpointId), TenantQuotaStore.OverridesKey(tenant),
                stats.Fine, stats.Coarse, stats.Summary, EndpointPendingKey(attempt.EndpointId)],
            [Serialize(attempt), _options.AttemptsPerDelivery, _options.AttemptsPerEndpoint, (long)_options.EventRetention.TotalMilliseconds, attempt.EndpointId, Serialize(record), quotas.Value.AttemptLogBytes,
                attempt.Succeeded ? "ok" : "failed", stats.LatencyField, attempt.At.ToUnixTimeMilliseconds(), (long)EndpointStats.Kept.TotalMilliseconds, attempt.DeliveryId]);
    }

    /// <summary>The event's delivery to the endpoint, or null when it has none.</summary>
    public async Task<DeliveryRecord?> GetDeliveryAsync(string eventId, string endpointId) =>
        Deserialize<DeliveryRecord>(await _db.HashGetAsync(DeliveriesKey(eventId), endpointId));

    /// <summary>Marks a delivery dead-lettered without a new attempt (its endpoint is gone or disabled).</summary>
    public async Task MarkDeadLetteredAsync(string eventId, string endpointId, string deliveryId, string reason)
    {
        var existing = Deserialize<DeliveryRecord>(await _db.HashGetAsync(DeliveriesKey(eventId), endpointId));
        var record = (existing ?? Pending(deliveryId, endpointId))
            with { Status = DeliveryStatus.DeadLettered, DeadLetterReason = reason, UpdatedAt = DateTimeOffset.UtcNow };
        await _db.HashSetAsync(DeliveriesKey(eventId), endpointId, Serialize(record));
        await _db.KeyExpireAsync(DeliveriesKey(eventId), _options.EventRetention);
        await _db.SortedSetRemoveAsync(EndpointPendingKey(endpointId), deliveryId);
    }

    /// <summary>Puts a delivery back to pending (it was redriven, resent, recovered or replayed).</summary>
    public async Task MarkPendingAsync(string eventId, string endpointId, string deliveryId)
    {
        var record = Pending(deliveryId, endpointId);
        await _db.HashSetAsync(DeliveriesKey(eventId), endpointId, Serialize(record));
        await _db.KeyExpireAsync(DeliveriesKey(eventId), _options.EventRetention);
        await _db.SortedSetAddAsync(EndpointPendingKey(endpointId), deliveryId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await _db.KeyExpireAsync(EndpointPendingKey(endpointId), _options.EventRetention);
    }

    /// <summary>A delivery's latest <paramref name="count"/> attempts, oldest first.</summary>
    public async Task<IReadOnlyList<DeliveryAttempt>> GetAttemptsAsync(string deliveryId, int count)
    {
        var entries = await _db.ListRangeAsync(DeliveryAttemptsKey(deliveryId), 0, count - 1);
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

    private static DeliveryRecord Pending(string deliveryId, string endpointId) =>
        new() { Id = deliveryId, EndpointId = endpointId, Status = DeliveryStatus.Pending, UpdatedAt = DateTimeOffset.UtcNow };

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, WebhooksJson.Options);

    private static T? Deserialize<T>(RedisValue value) where T : class =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<T>((string)value!, WebhooksJson.Options);
}
