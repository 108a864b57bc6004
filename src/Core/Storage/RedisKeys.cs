namespace Webhooks.Core.Storage;

/// <summary>
/// Every key the platform writes in Redis, by owner — the only place a key's name is built (the names are
/// checked, one by one, by <c>RedisKeysTests</c>: none may change by accident, there is no migration). Each
/// entry says its type, how long it lives and who writes it. A key that carries its owner's hash tag
/// (<c>endpoint:{ep_…}:attempts</c>) lives in that owner's Redis Cluster slot, so a script over one owner's
/// tagged keys stays in one slot; ids and tenant names hold no braces (both are validated), so the tag is the
/// whole owner. Keys from before tags (rate cells, leases, allowances, idempotency, the dead-letter, audit
/// and job indexes) keep their untagged names: each is read and written on its own.
/// Every key is under the installation's prefix (<see cref="StorageOptions.KeyPrefix"/>, added by <see cref="RedisStorage"/>).
/// </summary>
public static class RedisKeys
{
    /// <summary>An event's keys, all tagged with the event id; kept for the event retention (7 days).</summary>
    public static class Event
    {
        /// <summary>String, the stored event (JSON). Ingest on accepting it, fan-out for a bus-published one.</summary>
        public static string Record(string eventId) => Tagged("event", eventId);

        /// <summary>String, <c>claimed</c> (with the fan-out's lease) or <c>done</c>. Fan-out.</summary>
        public static string FanOut(string eventId) => Tagged("event", eventId, "fanned-out");
    }

    /// <summary>A delivery's keys: with its event (tagged with the event id), kept for the event retention.</summary>
    public static class Delivery
    {
        /// <summary>Hash, endpoint id → the delivery's record (JSON): every delivery of the event. Fan-out, attempts, requeues, dead-lettering.</summary>
        public static string Records(string eventId) => Tagged("event", eventId, "deliveries");

        /// <summary>List, the delivery's attempts, newest first, bounded. The attempt script.</summary>
        public static string Attempts(string eventId, string deliveryId) => Tagged("event", eventId, $"delivery:{deliveryId}:attempts");
    }

    /// <summary>An endpoint's keys; deleting the endpoint deletes those in <see cref="OwnedBy"/> (its stats buckets expire).</summary>
    public static class Endpoint
    {
        /// <summary>String, the endpoint (JSON, its secrets and header values encrypted), without expiry. Ingest.</summary>
        public static string Record(string endpointId) => Tagged("endpoint", endpointId);

        /// <summary>List, the endpoint's attempts, newest first, bounded by count and bytes; the retention after its last attempt. The attempt script.</summary>
        public static string Attempts(string endpointId) => Tagged("endpoint", endpointId, "attempts");

        /// <summary>String, the bytes of <see cref="Attempts"/>. The attempt script.</summary>
        public static string AttemptBytes(string endpointId) => Tagged("endpoint", endpointId, "attempts:bytes");

        /// <summary>Sorted set, the deliveries queued or waiting for a retry, by when they became so; the retention. Fan-out, attempts, requeues, dead-lettering.</summary>
        public static string Pending(string endpointId) => Tagged("endpoint", endpointId, "pending");

        /// <summary>Hash, the last success and failure; 8 days. The attempt script.</summary>
        public static string StatsSummary(string endpointId) => Tagged("endpoint", endpointId, "stats");

        /// <summary>Hash, one stats bucket: attempts, successes, failures by kind, latencies, data fetches; 8 days. The attempt script, Ingest (fetches).</summary>
        public static string StatsBucket(string endpointId, int minutes, long start) => Tagged("endpoint", endpointId, $"stats:{minutes}m:{start}");

        /// <summary>String, since when (ms) its current run of failures runs; gone on a success. Dispatchers.</summary>
        public static string FailingSince(string endpointId) => Tagged("endpoint", endpointId, "failing-since");

        /// <summary>String, set once its run of failures was announced (<c>webhooks.endpoint.failing</c>). Dispatchers.</summary>
        public static string FailingAnnounced(string endpointId) => Tagged("endpoint", endpointId, "failing-announced");

        /// <summary>String, the GCRA cell of its rate limit; lives until its theoretical arrival time. Dispatchers.</summary>
        public static string RateCell(string endpointId) => $"ratelimit:{endpointId}";

        /// <summary>String, the GCRA cell handing rate-limited deliveries their turns. Dispatchers.</summary>
        public static string RateTurns(string endpointId) => $"ratelimit:{endpointId}:turns";

        /// <summary>
        /// Sorted set, its requests in flight (leases, by expiry); in the endpoint's slot, so that an attempt's record gives its
        /// lease back in the same script. Dispatchers. (Named <c>inflight:{ep}</c> before: leases live seconds, nothing to move.)
        /// </summary>
        public static string InFlight(string endpointId) => Tagged("endpoint", endpointId, "inflight");

        /// <summary>String, the GCRA cell handing deliveries at the in-flight cap their turns. Dispatchers.</summary>
        public static string InFlightTurns(string endpointId) => $"inflight:{endpointId}:turns";

        /// <summary>String, the GCRA cell of data fetches through its thin deliveries' links. Ingest.</summary>
        public static string DataFetches(string endpointId) => $"datalinks:{endpointId}";

        /// <summary>String, the GCRA cell of data links naming it that did not verify. Ingest.</summary>
        public static string FailedDataLinks(string endpointId) => $"datalinks:failed:{endpointId}";

        /// <summary>Sorted set, its dead letters by time; the dead letters' retention (30 days). The dead-letter index.</summary>
        public static string DeadLetters(string endpointId) => $"deadletters:endpoint:{endpointId}";

        /// <summary>The keys that go with the endpoint when it is deleted, in its slot (its tagged keys but the stats buckets, which expire).</summary>
        public static IReadOnlyList<string> TaggedOwnedBy(string endpointId) =>
            [Record(endpointId), FailingSince(endpointId), FailingAnnounced(endpointId), Attempts(endpointId), AttemptBytes(endpointId), StatsSummary(endpointId), Pending(endpointId), InFlight(endpointId)];

        /// <summary>Its untagged keys, each in a slot of its own: deleted beside <see cref="TaggedOwnedBy"/> (its dead letters stay, until they expire or are purged).</summary>
        public static IReadOnlyList<string> UntaggedOwnedBy(string endpointId) =>
            [RateCell(endpointId), RateTurns(endpointId), InFlightTurns(endpointId), DataFetches(endpointId), FailedDataLinks(endpointId)];
    }

    /// <summary>A tenant's keys.</summary>
    public static class Tenant
    {
        /// <summary>Sorted set, <c>id|type</c> of its events by when they were received (ms), trimmed to the retention. Ingest, fan-out.</summary>
        public static string Events(string tenant) => Tagged("tenant", tenant, "events");

        /// <summary>Set, its endpoints' ids. Ingest.</summary>
        public static string Endpoints(string tenant) => Tagged("tenant", tenant, "endpoints");

        /// <summary>String, a number that moves on whenever one of its endpoints is created, changed or deleted. Ingest, dispatchers (auto-disable).</summary>
        public static string EndpointsVersion(string tenant) => Tagged("tenant", tenant, "endpoints:version");

        /// <summary>Hash, an operator's quota overrides. Ingest.</summary>
        public static string QuotaOverrides(string tenant) => Tagged("tenant", tenant, "quotas");

        /// <summary>String, the GCRA cell of its events a second. Ingest.</summary>
        public static string EventsQuota(string tenant) => Tagged("tenant", tenant, "quota:events");

        /// <summary>String, the GCRA cell of its event bytes a second. Ingest.</summary>
        public static string BytesQuota(string tenant) => Tagged("tenant", tenant, "quota:bytes");

        /// <summary>String, the GCRA cell of its fast-lane allowance at a stage (<c>events</c>, <c>deliveries</c>). Ingest, fan-out.</summary>
        public static string Allowance(string stage, string tenant) => $"allowance:{stage}:{tenant}";

        /// <summary>String, an <c>Idempotency-Key</c>'s reservation (JSON); 24 h. Ingest.</summary>
        public static string Idempotency(string tenant, string key) => $"idempotency:{tenant}:{key}";

        /// <summary>String, a batch's <c>Idempotency-Key</c> reservation (JSON); 24 h. Ingest.</summary>
        public static string BatchIdempotency(string tenant, string key) => $"idempotency-batch:{tenant}:{key}";

        /// <summary>Sorted set, its dead letters by time; 30 days. The dead-letter index.</summary>
        public static string DeadLetters(string tenant) => $"deadletters:tenant:{tenant}";

        /// <summary>Sorted set, its audit entries by time; 90 days. Ingest.</summary>
        public static string Audit(string tenant) => $"audit:tenant:{tenant}";

        /// <summary>Sorted set, its jobs by creation time. Ingest.</summary>
        public static string Jobs(string tenant) => $"jobs:tenant:{tenant}";
    }

    /// <summary>A dead letter's keys, and the indexes every tenant writes to (split in shards over the slots).</summary>
    public static class DeadLetter
    {
        /// <summary>String, the dead letter (JSON); 30 days. The dead-letter index.</summary>
        public static string Record(string deadLetterId) => $"deadletter:{deadLetterId}";

        /// <summary>How many shards the indexes every tenant writes to are split into; fixed, as a shard dropped would strand what it holds.</summary>
        public const int Shards = 16;

        /// <summary>The shards' hash tags, one in each sixteenth of the slot space (<see cref="RedisSlots.SpreadTags"/>): <c>dl0-…</c> to <c>dl15-…</c>.</summary>
        public static IReadOnlyList<string> ShardTags { get; } = RedisSlots.SpreadTags("dl", Shards);

        /// <summary>Sorted set, one shard of every dead letter by time. The dead-letter index.</summary>
        public static string AllShard(int shard) => $"deadletters:{{{ShardTags[shard]}}}";

        /// <summary>Sorted set, one shard of the dead letters of one reason, by time. The dead-letter index.</summary>
        public static string ReasonShard(string reason, int shard) => $"deadletters:reason:{reason}:{{{ShardTags[shard]}}}";

        /// <summary>Sorted sets from before shards, moved into them once at start-up (<c>DeadLetterShardsMigration</c>).</summary>
        public const string UnshardedAll = "deadletters";

        public static string UnshardedReason(string reason) => $"deadletters:reason:{reason}";
    }

    /// <summary>The event-type catalog's keys, both tagged <c>{event-types}</c> (one slot: a change writes both in one script); without expiry.</summary>
    public static class Catalog
    {
        /// <summary>Hash, event type name → its definition (JSON). Ingest.</summary>
        public static string EventTypes => Tagged("catalog", "event-types");

        /// <summary>String, a number that moves on whenever the catalog changes. Ingest; both hosts read it to refresh their compiled copy.</summary>
        public static string Version => Tagged("catalog", "event-types", "version");
    }

    /// <summary>Keys of the installation as a whole.</summary>
    public static class Global
    {
        /// <summary>Sorted set (lexical), every endpoint's id, in creation order. Ingest.</summary>
        public const string AllEndpoints = "endpoints";

        /// <summary>Sorted set (lexical), every API key's id, in creation order. Ingest.</summary>
        public const string ApiKeys = "apikeys";

        /// <summary>String, an API key (JSON, its secret hashed). Ingest.</summary>
        public static string ApiKey(string keyId) => $"apikey:{keyId}";

        /// <summary>String, the id of the API key with this hash. Ingest.</summary>
        public static string ApiKeyByHash(string hash) => $"apikey-hash:{hash}";

        /// <summary>String, a portal link not yet opened (JSON), by the hash of its one-time token; expires with the link. Ingest.</summary>
        public static string PortalLink(string hash) => $"portal:link:{hash}";

        /// <summary>String, an opened portal session (JSON), by the hash of its session key; expires with the session. Ingest.</summary>
        public static string PortalSession(string hash) => $"portal:session:{hash}";

        /// <summary>
        /// Sorted set, endpoints by when their run of failures began (ms), added when a run begins; a member whose run
        /// has ended (a success cleared its failing-since) is removed when the list is read. Dispatchers add, Ingest reads.
        /// </summary>
        public const string FailingEndpoints = "endpoints:failing";

        /// <summary>Sorted set, <c>{tenant}|{quota}</c> by when a request of the tenant was last refused for that quota (ms); entries older than 15 minutes are dropped when read. Ingest.</summary>
        public const string TenantsOverQuota = "tenants:over-quota";

        /// <summary>String, the dispatchers' last sample of the broker's queues (JSON); expires when none samples. Dispatchers write, Ingest reads.</summary>
        public const string QueueSnapshot = "queues:snapshot";

        /// <summary>String, a job (JSON); 7 days once it ended. Ingest.</summary>
        public static string Job(string jobId) => $"job:{jobId}";

        /// <summary>String, who runs the job now; 30 s, renewed. Ingest.</summary>
        public static string JobLease(string jobId) => $"job:{jobId}:lease";

        /// <summary>Set, the jobs not yet ended. Ingest.</summary>
        public const string ActiveJobs = "jobs:active";

        /// <summary>Sorted set, every job by creation time. Ingest.</summary>
        public const string Jobs = "jobs";

        /// <summary>String, an audit entry (JSON); 90 days. Ingest.</summary>
        public static string AuditEntry(string entryId) => $"audit:entry:{entryId}";

        /// <summary>Sorted set, every audit entry by time; 90 days. Ingest.</summary>
        public const string Audit = "audit";

        /// <summary>String, the GCRA cell of data links from one client address that did not verify. Ingest.</summary>
        public static string FailedDataLinksFrom(string clientAddress) => $"datalinks:failed-from:{clientAddress}";

        /// <summary>String, set once keys from before hash tags were renamed. Both hosts at start-up.</summary>
        public const string TaggedKeysMigrated = "migrations:tagged-keys";

        /// <summary>String, set once the dead-letter indexes from before shards were moved. Dispatchers at start-up.</summary>
        public const string DeadLetterShardsMigrated = "migrations:sharded-deadletters";
    }

    /// <summary>Names from before hash tags (<c>endpoint:ep_1:attempts</c>), as <see cref="TaggedKeysMigration"/> finds and renames them once.</summary>
    public static class BeforeTags
    {
        /// <summary>The owners whose keys were untagged: <c>kind:id[:part]</c>.</summary>
        public static IReadOnlyList<string> Kinds { get; } = ["endpoint", "event", "tenant", "delivery"];

        /// <summary>Every key of one kind, as a SCAN pattern.</summary>
        public static string Pattern(string kind) => $"{kind}:*";

        /// <summary>A delivery's attempt log before it moved in with its event.</summary>
        public static string DeliveryAttempts(string deliveryId) => $"delivery:{deliveryId}:attempts";

        /// <summary>An owner's key as it was named before tags: <c>kind:id[:part]</c> (<c>endpoint:ep_1:attempts</c>; <c>*</c> in the id makes a pattern).</summary>
        public static string Name(string kind, string id, string? part = null) => part is null ? $"{kind}:{id}" : $"{kind}:{id}:{part}";

        /// <summary>A tagged key's name as it was before tags (its braces taken out).</summary>
        public static string Untagged(string tagged) => tagged.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal);

        /// <summary>Whether <paramref name="name"/> is a delivery's attempt log of before (whose event is read from its newest entry).</summary>
        public static bool IsDeliveryAttempts(string name) => name.StartsWith("delivery:", StringComparison.Ordinal);
    }

    /// <summary>The tagged name of <paramref name="part"/> of an owner of <paramref name="kind"/> (<c>endpoint</c>, <c>event</c>, <c>tenant</c>): <c>kind:{owner}:part</c>.</summary>
    public static string Tagged(string kind, string owner, string? part = null) => part is null ? $"{kind}:{{{owner}}}" : $"{kind}:{{{owner}}}:{part}";
}

public static class RedisReads
{
    /// <summary>One GET per key, sent together, values in the keys' order: an MGET must stay within one cluster slot, and these keys need not.</summary>
    public static Task<StackExchange.Redis.RedisValue[]> GetEachAsync(this StackExchange.Redis.IDatabase db, IEnumerable<StackExchange.Redis.RedisKey> keys) =>
        Task.WhenAll(keys.Select(key => db.StringGetAsync(key)));
}
