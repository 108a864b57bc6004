using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Events;
using Webhooks.Core.Quotas;
using Webhooks.Core.Storage;

namespace Webhooks.Core.DeadLetters;

/// <summary>
/// The dead letters in Redis, by time and by endpoint, tenant and reason: a queue cannot be
/// listed, filtered, paged or purged by filter, so the API reads this index instead.
/// </summary>
public sealed class DeadLetterIndex(RedisStorage redis, EventStore events, IOptions<DeadLetterOptions> options, TenantQuotaStore quotas)
{
    private readonly IDatabase _db = redis.Database;
    private static readonly RedisScript TimeIndex = RedisScript.Of<DeadLetterIndex>("time-index");
    private readonly TimeSpan _retention = options.Value.Retention;

    /// <summary>
    /// The indexes every tenant writes to (all dead letters, and by reason) are each split into this
    /// many keys, a dead letter's shard chosen by its id, each shard in a hash slot of its own, spread evenly over the slots (<see cref="RedisSlots.SpreadTags"/>): a storm of
    /// dead letters spreads over a Redis Cluster's primaries instead of making one slot hot. Readers
    /// merge the shards in order.
    /// </summary>
    public const int Shards = RedisKeys.DeadLetter.Shards;

    private static string Key(string id) => RedisKeys.DeadLetter.Record(id);
    private static string EndpointKey(string id) => RedisKeys.Endpoint.DeadLetters(id);
    private static string TenantKey(string tenant) => RedisKeys.Tenant.DeadLetters(tenant);
    private static string AllKey(int shard) => RedisKeys.DeadLetter.AllShard(shard);
    private static string ReasonKey(string reason, int shard) => RedisKeys.DeadLetter.ReasonShard(reason, shard);
    private static IEnumerable<RedisKey> AllKeys() => Enumerable.Range(0, Shards).Select(shard => (RedisKey)AllKey(shard));
    private static IEnumerable<RedisKey> ReasonKeys(string reason) => Enumerable.Range(0, Shards).Select(shard => (RedisKey)ReasonKey(reason, shard));

    /// <summary>The keys from before shards, each with its shards, moved into them once (<see cref="MoveUnshardedAsync"/>).</summary>
    private static IEnumerable<(RedisKey Old, Func<int, string> Shard)> UnshardedKeys() =>
        DeadLetterReasons.All.Select(reason => ((RedisKey)RedisKeys.DeadLetter.UnshardedReason(reason), (Func<int, string>)(shard => ReasonKey(reason, shard))))
            .Prepend((RedisKeys.DeadLetter.UnshardedAll, AllKey));

    /// <summary>A dead letter's shard: FNV-1a of its id (stable across processes, unlike string hash codes).</summary>
    public static int ShardOf(string id)
    {
        var hash = 2166136261u;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash % Shards);
    }

    private static IEnumerable<RedisKey> IndexKeys(DeadLetter d)
    {
        var shard = ShardOf(d.Id);
        yield return AllKey(shard);
        yield return TenantKey(d.Tenant);
        yield return ReasonKey(d.Reason, shard);
        if (d.EndpointId is not null)
        {
            yield return EndpointKey(d.EndpointId);
        }
    }


    /// <summary>
    /// Indexes a dead letter; indexing the same one twice (a redelivered message) keeps one. A
    /// delivery's data is not copied when its event is stored: the event is kept as long as the dead
    /// letter instead (one copy for all its endpoints), and the data is read from it. Past the tenant's
    /// dead-letter quota its oldest are forgotten; returns how many.
    /// </summary>
    public async Task<int> AddAsync(DeadLetter deadLetter)
    {
        if (deadLetter.Delivery is { Data: not null } delivery
            && (deadLetter.DataInEvent || await events.KeepAtLeastAsync(deadLetter.EventId, _retention)))
        {
            deadLetter = deadLetter with { Delivery = delivery with { Data = null }, DataInEvent = true };
        }
        var score = deadLetter.DeadLetteredAt.ToUnixTimeMilliseconds();
        var kept = (long)_retention.TotalMilliseconds;
        // The record, then its index entries, each key on its own (in a cluster each may live on another node):
        // an index entry without its record is skipped by every reader, and indexing twice keeps one.
        await _db.StringSetAsync(Key(deadLetter.Id), JsonSerializer.Serialize(deadLetter, WebhooksJson.Options), _retention);
        await Task.WhenAll(IndexKeys(deadLetter).Select(key => TimeIndex.RunAsync(_db, [key], [score, deadLetter.Id, kept, "0", ""])));
        var held = await _db.SortedSetLengthAsync(TenantKey(deadLetter.Tenant));
        var over = held - (await quotas.ForTenantAsync(deadLetter.Tenant)).DeadLetters;
        return over > 0 ? await DropOldestAsync(deadLetter.Tenant, over) : 0;
    }

    /// <summary>Forgets the tenant's <paramref name="count"/> oldest dead letters (a removal racing a redrive or purge is that one's).</summary>
    private async Task<int> DropOldestAsync(string tenant, long count)
    {
        var dropped = 0;
        var ids = await _db.SortedSetRangeByRankAsync(TenantKey(tenant), 0, count - 1);
        var values = await _db.GetEachAsync(ids.Select(id => (RedisKey)Key(id!)));
        foreach (var (id, value) in ids.Zip(values))
        {
            if (value.IsNullOrEmpty)
            {
                // Expired, or taken meanwhile: its index entries alone remain.
                await _db.SortedSetRemoveAsync(TenantKey(tenant), id);
                continue;
            }
            dropped += await RemoveAsync(JsonSerializer.Deserialize<DeadLetter>((string)value!, WebhooksJson.Options)!) ? 1 : 0;
        }
        return dropped;
    }

    public async Task<DeadLetter?> GetAsync(string id)
    {
        var value = await _db.StringGetAsync(Key(id));
        return value.IsNullOrEmpty ? null : (await WithDataAsync([JsonSerializer.Deserialize<DeadLetter>((string)value!, WebhooksJson.Options)!]))[0];
    }

    /// <summary>Puts back the data of deliveries whose data lives in their stored event.</summary>
    private async Task<IReadOnlyList<DeadLetter>> WithDataAsync(IReadOnlyList<DeadLetter> deadLetters)
    {
        var byReference = deadLetters.Where(d => d.DataInEvent).Select(d => d.EventId).Distinct().ToList();
        if (byReference.Count == 0)
        {
            return deadLetters;
        }
        var stored = await events.GetEachAsync(byReference);
        var data = stored.ToDictionary(e => e.Key, e => e.Value?.Data);
        return [.. deadLetters.Select(d => d is { DataInEvent: true, Delivery: { } delivery } ? d with { Delivery = delivery with { Data = data[d.EventId] } } : d)];
    }

    /// <summary>Index entries looked at per page at most: a filter the index cannot narrow costs bounded work a page, and the page says where to go on.</summary>
    public const int MaxScannedPerPage = 5000;

    /// <summary>
    /// Newest first, after <paramref name="after"/> (the <see cref="DeadLetterPage.Next"/> of the page
    /// before). Next is null at the end; a page can be short (even empty) and still have a next,
    /// when the filter matched little of the <see cref="MaxScannedPerPage"/> entries it looked at.
    /// </summary>
    public async Task<DeadLetterPage> ListAsync(DeadLetterFilter filter, IndexPosition? after, int limit)
    {
        // Walk the most selective index (merging its shards) in pages; the other criteria are checked on each record.
        IReadOnlyList<RedisKey> index = filter.EndpointId is not null ? [EndpointKey(filter.EndpointId)]
            : filter.Tenant is not null ? [TenantKey(filter.Tenant)]
            : filter.Reason is not null ? [.. ReasonKeys(filter.Reason)]
            : [.. AllKeys()];
        var until = filter.Until is { } u ? u.ToUnixTimeMilliseconds() : double.PositiveInfinity;
        var min = filter.Since is { } since ? since.ToUnixTimeMilliseconds() : double.NegativeInfinity;
        var walk = new IndexWalk(_db, index, min, until, after, index.Count == 1 ? 200 : 50);
        var found = new List<DeadLetter>(limit);
        var scanned = 0;
        IndexPosition? last = null;
        while (await walk.NextPageAsync(200) is { Count: > 0 } entries)
        {
            var values = await _db.GetEachAsync(entries.Select(e => (RedisKey)Key(e.Element!)));
            foreach (var (entry, value) in entries.Zip(values))
            {
                last = new IndexPosition(entry.Score, entry.Element!);
                scanned++;
                if (!value.IsNullOrEmpty && JsonSerializer.Deserialize<DeadLetter>((string)value!, WebhooksJson.Options) is { } d && filter.Matches(d))
                {
                    found.Add(d);
                }
                if (found.Count == limit || scanned >= MaxScannedPerPage)
                {
                    return new DeadLetterPage(await WithDataAsync(found), last);
                }
            }
        }
        return new DeadLetterPage(await WithDataAsync(found), null);
    }

    /// <summary>
    /// Moves the entries of the indexes from before shards into their shards, once per installation
    /// (a marker says it is done; two hosts doing it at once add each entry twice, which keeps one).
    /// Returns how many entries were moved.
    /// </summary>
    public async Task<long> MoveUnshardedAsync(string marker)
    {
        if (await _db.KeyExistsAsync(marker))
        {
            return 0;
        }
        var moved = 0L;
        foreach (var (old, shardKey) in UnshardedKeys())
        {
            while (await _db.SortedSetRangeByRankWithScoresAsync(old, 0, 499) is { Length: > 0 } entries)
            {
                await Task.WhenAll(entries.GroupBy(e => ShardOf(e.Element!)).Select(shard => _db.SortedSetAddAsync(shardKey(shard.Key), [.. shard])));
                await _db.SortedSetRemoveAsync(old, [.. entries.Select(e => e.Element)]);
                moved += entries.Length;
            }
        }
        await _db.StringSetAsync(marker, DateTimeOffset.UtcNow.ToString("o"));
        return moved;
    }

    /// <summary>
    /// Removes a dead letter and says whether this caller removed it: of two redrives (or a redrive
    /// and a purge) racing for it, exactly one gets true, so it is sent again once.
    /// </summary>
    public async Task<bool> RemoveAsync(DeadLetter deadLetter)
    {
        // The record decides who took it; its index entries follow.
        var taken = await _db.KeyDeleteAsync(Key(deadLetter.Id));
        await Task.WhenAll(IndexKeys(deadLetter).Select(key => _db.SortedSetRemoveAsync(key, deadLetter.Id)));
        return taken;
    }
}
