using System.Collections.Concurrent;

namespace Webhooks.Core;

/// <summary>
/// What a process keeps in memory per endpoint or per tenant, bounded: an entry not used for
/// <c>idle</c> is dropped (with whatever it held, such as a deleted endpoint's secret), and past
/// <c>capacity</c> the least recently used go first, so the map holds what is in use, not every
/// key ever seen. Any use tidies, at most every quarter of <c>idle</c> or after
/// <c>capacity / 2</c> new keys; in between, a use only notes the time.
/// </summary>
public sealed class RecentlyUsed<TKey, TValue>(int capacity, TimeSpan idle, TimeProvider? clock = null) where TKey : notnull
{
    private sealed class Entry(TValue value, long usedAt)
    {
        public TValue Value = value;
        public long UsedAt = usedAt;
    }

    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _tidying = new();
    private long _tidiedAt;
    private int _addedSinceTidy;

    private long IdleTicks => (long)(idle.TotalSeconds * _clock.TimestampFrequency);
    private long Now => _clock.GetTimestamp();

    /// <summary>How many entries are held now.</summary>
    public int Count => _entries.Count;

    public bool TryGetValue(TKey key, out TValue value)
    {
        Tidy(added: false);
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.UsedAt = Now;
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            (entry.Value, entry.UsedAt) = (value, Now);
            return;
        }
        _entries[key] = new Entry(value, Now);
        Tidy(added: true);
    }

    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create)
    {
        if (TryGetValue(key, out var value))
        {
            return value;
        }
        var entry = _entries.GetOrAdd(key, k => new Entry(create(k), Now));
        Tidy(added: true);
        return entry.Value;
    }

    /// <summary>
    /// Sets the value to <paramref name="update"/> of the one held — of <paramref name="add"/>'s when none
    /// was. Updates of one key are serialized, so exactly one caller sees each value; <paramref name="add"/>
    /// may run for a caller that then finds another's entry, so it must not have side effects.
    /// </summary>
    public TValue AddOrUpdate(TKey key, Func<TKey, TValue> add, Func<TKey, TValue, TValue> update)
    {
        Tidy(added: false);
        if (!_entries.TryGetValue(key, out var entry))
        {
            var added = new Entry(add(key), Now);
            if ((entry = _entries.GetOrAdd(key, added)) == added)
            {
                Tidy(added: true);
            }
        }
        lock (entry)
        {
            (entry.Value, entry.UsedAt) = (update(key, entry.Value), Now);
            return entry.Value;
        }
    }

    /// <summary>Drops the entry if it still holds <paramref name="value"/>.</summary>
    public bool TryRemove(TKey key, TValue value) =>
        _entries.TryGetValue(key, out var entry) && EqualityComparer<TValue>.Default.Equals(entry.Value, value) && _entries.TryRemove(KeyValuePair.Create(key, entry));

    public bool TryRemove(TKey key) => _entries.TryRemove(key, out _);

    public void Clear() => _entries.Clear();

    /// <summary>The entries used within <c>idle</c>, as they are now (reading them is not a use).</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Entries()
    {
        var now = Now;
        foreach (var (key, entry) in _entries)
        {
            if (now - entry.UsedAt <= IdleTicks)
            {
                yield return KeyValuePair.Create(key, entry.Value);
            }
        }
    }

    private void Tidy(bool added)
    {
        var now = Now;
        if ((added ? Interlocked.Increment(ref _addedSinceTidy) : Volatile.Read(ref _addedSinceTidy)) < capacity / 2 && now - Volatile.Read(ref _tidiedAt) < IdleTicks / 4)
        {
            return;
        }
        lock (_tidying)
        {
            if (Volatile.Read(ref _addedSinceTidy) < capacity / 2 && now - _tidiedAt < IdleTicks / 4)
            {
                return; // another caller just tidied
            }
            _addedSinceTidy = 0;
            _tidiedAt = now;
            foreach (var (key, entry) in _entries)
            {
                if (now - entry.UsedAt > IdleTicks)
                {
                    _entries.TryRemove(KeyValuePair.Create(key, entry));
                }
            }
            var over = _entries.Count - capacity;
            if (over > 0)
            {
                // A tenth below capacity, so that the next tidy is not at the next write.
                foreach (var (key, entry) in _entries.OrderBy(e => e.Value.UsedAt).Take(over + capacity / 10).ToList())
                {
                    _entries.TryRemove(KeyValuePair.Create(key, entry));
                }
            }
        }
    }
}
