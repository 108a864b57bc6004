using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Events;

/// <summary>
/// The events themselves, kept for the retention period, and each tenant's time index of them (id and type:
/// a list filtered by type reads no event's data). An event's record carries its own hash tag, the index its
/// tenant's (<see cref="RedisKeys"/>).
/// </summary>
public sealed class EventStore(RedisStorage redis, IOptions<StorageOptions> options)
{
    private readonly IDatabase _db = redis.Database;
    private readonly StorageOptions _options = options.Value;
    private static readonly RedisScript TimeIndex = RedisScript.Of<EventStore>("time-index");
    private static readonly RedisScript KeepEvent = RedisScript.Of<EventStore>("keep-event");

    /// <summary>Index entries looked at per page at most (see <see cref="TenantEvents"/>).</summary>
    public const int MaxScannedPerPage = 5000;

    /// <summary>
    /// Keeps the event, and lists it under its tenant (a test event is not listed: it is not one of the tenant's events),
    /// unless one with its id is already kept; Saved is false when one was. The listing reads the tenant's endpoint version
    /// in the same call (its slot), which says which of the tenant's endpoints the event was accepted for (null for a test event).
    /// </summary>
    public async Task<(bool Saved, long? EndpointsVersion)> SaveAsync(StoredEvent stored)
    {
        var saved = _db.StringSetAsync(RedisKeys.Event.Record(stored.Id), Serialize(stored), _options.EventRetention, When.NotExists);
        var listed = stored.Test ? Task.FromResult<long?>(null) : IndexAsync(stored, readEndpointsVersion: true);
        await Task.WhenAll(saved, listed);
        return (await saved, await listed);
    }

    /// <summary>
    /// Lists the event under its tenant by when it was received; an entry already there keeps its place. With
    /// <paramref name="readEndpointsVersion"/>, returns the tenant's endpoint version read in the same call.
    /// </summary>
    public async Task<long?> IndexAsync(StoredEvent stored, bool readEndpointsVersion = false)
    {
        RedisKey[] keys = readEndpointsVersion ? [RedisKeys.Tenant.Events(stored.Tenant), RedisKeys.Tenant.EndpointsVersion(stored.Tenant)] : [RedisKeys.Tenant.Events(stored.Tenant)];
        var result = await TimeIndex.RunAsync(_db, keys,
            [stored.ReceivedAt.ToUnixTimeMilliseconds(), $"{stored.Id}|{stored.Type}", (long)_options.EventRetention.TotalMilliseconds, "1", (long)_options.EventRetention.TotalMilliseconds]);
        return readEndpointsVersion ? (long)result : null;
    }

    /// <summary>The JSON the event is kept as (the fan-out claim keeps a bus-published event with it).</summary>
    internal static string Serialize(StoredEvent stored) => JsonSerializer.Serialize(stored, WebhooksJson.Options);

    public async Task<StoredEvent?> GetAsync(string id) => Deserialize(await _db.StringGetAsync(RedisKeys.Event.Record(id)));

    /// <summary>Each event that is still kept, by id (one read per event, sent together).</summary>
    public async Task<IReadOnlyDictionary<string, StoredEvent?>> GetEachAsync(IReadOnlyCollection<string> ids)
    {
        var values = await _db.GetEachAsync(ids.Select(id => (RedisKey)RedisKeys.Event.Record(id)));
        return ids.Zip(values).ToDictionary(e => e.First, e => Deserialize(e.Second));
    }

    /// <summary>Keeps the event at least <paramref name="retention"/> from now (a dead letter's data is read from it); false when it is gone.</summary>
    public async Task<bool> KeepAtLeastAsync(string eventId, TimeSpan retention) =>
        (long)await KeepEvent.RunAsync(_db, [RedisKeys.Event.Record(eventId)], [(long)retention.TotalMilliseconds]) == 1;

    /// <summary>The tenant's index, newest first, in the window (ms; <paramref name="until"/> exclusive), after <paramref name="after"/>: entries are <c>id|type</c>.</summary>
    public IndexWalk Walk(string tenant, double since, double until, IndexPosition? after, int fetch) =>
        new(_db, [RedisKeys.Tenant.Events(tenant)], since, until, after, fetch);

    private static StoredEvent? Deserialize(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<StoredEvent>((string)value!, WebhooksJson.Options);
}
