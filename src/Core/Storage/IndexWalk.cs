using StackExchange.Redis;

namespace Webhooks.Core.Storage;

/// <summary>
/// A walk over one sorted-set index, or over the shards of one, newest first: the entries scored
/// from <c>max</c> (exclusive, unless resuming) down to <c>min</c>, the shards merged in the order one
/// key would have — by score, then by member in reverse byte order, as Redis orders equal scores in a
/// descending range — and resumed after a <see cref="IndexPosition"/> without repeating or skipping
/// entries that share its score. Each shard is read a few entries at a time, only as the merge needs them.
/// </summary>
public sealed class IndexWalk
{
    private readonly List<Shard> _shards;

    public IndexWalk(IDatabase db, IReadOnlyList<RedisKey> keys, double min, double max, IndexPosition? after, int fetch)
    {
        // From the cursor's score on (inclusive: others with the same score may follow it), else up to max (exclusive).
        var (top, exclude) = after is not null && after.Score < max ? (after.Score, Exclude.None) : (max, Exclude.Stop);
        _shards = [.. keys.Select(key => new Shard(db, key, min, top, exclude, after, fetch))];
    }

    /// <summary>The next <paramref name="count"/> entries at most; an empty page at the end.</summary>
    public async Task<IReadOnlyList<SortedSetEntry>> NextPageAsync(int count)
    {
        var page = new List<SortedSetEntry>(count);
        while (page.Count < count)
        {
            await Task.WhenAll(_shards.Where(s => s.NeedsReading).Select(s => s.ReadAsync()));
            Shard? newest = null;
            foreach (var shard in _shards.Where(s => s.Head is not null))
            {
                if (newest is null || Newer(shard.Head!.Value, newest.Head!.Value))
                {
                    newest = shard;
                }
            }
            if (newest is null)
            {
                break;
            }
            page.Add(newest.Take());
        }
        return page;
    }

    private static bool Newer(SortedSetEntry a, SortedSetEntry b) =>
        a.Score > b.Score || (a.Score == b.Score && string.CompareOrdinal(a.Element, b.Element) > 0);

    private sealed class Shard(IDatabase db, RedisKey key, double min, double max, Exclude exclude, IndexPosition? after, int fetch)
    {
        private readonly Queue<SortedSetEntry> _read = new();
        private long _start;
        private bool _ended;

        public SortedSetEntry? Head => _read.Count > 0 ? _read.Peek() : null;

        public bool NeedsReading => _read.Count == 0 && !_ended;

        public SortedSetEntry Take() => _read.Dequeue();

        public async Task ReadAsync()
        {
            // Pages of a fixed range by offset: entries newer than the range cannot shift it.
            while (NeedsReading)
            {
                var entries = await db.SortedSetRangeByScoreWithScoresAsync(key, min, max, exclude, Order.Descending, _start, fetch);
                _start += entries.Length;
                _ended = entries.Length < fetch;
                // Same score as the cursor: the ones not yet seen sort before the cursor's member.
                foreach (var e in entries.Where(e => after is null || e.Score < after.Score || string.CompareOrdinal(e.Element, after.Id) < 0))
                {
                    _read.Enqueue(e);
                }
            }
        }
    }
}

/// <summary>
/// A place in a time index (a sorted set, newest first): the score (ms) and member of the last entry
/// looked at. Members with the same score come in reverse order, so those not yet seen sort before it.
/// </summary>
public sealed record IndexPosition(double Score, string Id);

/// <summary>A lexical index: a sorted set of ids with one score, in the ids' order (creation order, as ids sort by creation time).</summary>
public static class LexicalIndex
{
    /// <summary>Up to <paramref name="take"/> ids after <paramref name="after"/> (from the first when null).</summary>
    public static Task<RedisValue[]> IdsAfterAsync(IDatabase db, RedisKey index, string? after, int take) =>
        db.SortedSetRangeByValueAsync(index, after is null ? default : (RedisValue)after, default, after is null ? Exclude.None : Exclude.Start, Order.Ascending, 0, take);
}
