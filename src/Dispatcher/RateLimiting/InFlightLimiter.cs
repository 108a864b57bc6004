using System.Collections.Concurrent;
using StackExchange.Redis;
using Webhooks.Core.Storage;
using Webhooks.Dispatcher.Degraded;

namespace Webhooks.Dispatcher.RateLimiting;

/// <summary>
/// Caps the requests in flight to one endpoint across all dispatchers with leases in Redis, so a
/// slow or hanging endpoint holds a bounded share of the consumers; a lease outlives a crashed
/// dispatcher only until it expires. While Redis is away, each dispatcher caps on its own.
/// </summary>
public sealed class InFlightLimiter(RedisStorage redis, RedisCircuit circuit)
{
    // KEYS[1]: the endpoint's leases. ARGV: lease ms, cap, lease id. 1 when the lease is granted.
    private const string Acquire = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
        return 1
        """;

    private readonly IDatabase _db = redis.Database;
    private readonly ConcurrentDictionary<string, int> _local = new();

    /// <summary>A lease to release when the request is done, or null when the endpoint is at its cap.</summary>
    public async Task<Lease?> TryAcquireAsync(string endpointId, int cap, TimeSpan leaseFor)
    {
        var id = Guid.NewGuid().ToString("N");
        var key = $"inflight:{endpointId}";
        var (ok, granted) = await circuit.TryAsync(async () => (long)await _db.ScriptEvaluateAsync(Acquire, [key], [(long)leaseFor.TotalMilliseconds, cap, id]) == 1);
        if (ok)
        {
            return granted ? new Lease(async () => (await circuit.TryAsync(() => _db.SortedSetRemoveAsync(key, id))).Ok) : null;
        }
        if (_local.AddOrUpdate(endpointId, 1, (_, n) => n + 1) > cap)
        {
            _local.AddOrUpdate(endpointId, 0, (_, n) => n - 1);
            return null;
        }
        return new Lease(() =>
        {
            _local.AddOrUpdate(endpointId, 0, (_, n) => n - 1);
            return Task.FromResult(true);
        });
    }

    public sealed class Lease(Func<Task<bool>> release)
    {
        public Task ReleaseAsync() => release();
    }
}
