using System.Collections.Concurrent;
using StackExchange.Redis;
using Webhooks.Core;
using Webhooks.Core.Storage;
using Webhooks.Dispatcher.Degraded;

namespace Webhooks.Dispatcher.RateLimiting;

/// <summary>
/// Caps the requests in flight to one endpoint across all dispatchers with leases in Redis, so a
/// slow or hanging endpoint holds a bounded share of the consumers; a lease outlives a crashed
/// dispatcher only until it expires. While Redis is away, each dispatcher caps on its own.
/// A delivery that finds the endpoint at its cap takes a turn in line (a GCRA cell paced at
/// cap ÷ the endpoint's typical request time), so a backlog comes back from the delay queues
/// about as fast as the endpoint takes it, instead of every delivery retrying every second.
/// </summary>
public sealed class InFlightLimiter(RedisStorage redis, RedisCircuit circuit)
{
    /// <summary>Assumed until this dispatcher has timed a request to the endpoint: optimistic, since a wait too short costs a retry and one too long costs throughput.</summary>
    private static readonly TimeSpan UnknownRequestTime = TimeSpan.FromMilliseconds(100);


    private readonly IDatabase _db = redis.Database;
    private static readonly RedisScript Acquire = RedisScript.Of<InFlightLimiter>("in-flight-acquire");
    // Requests in flight per endpoint while Redis is away: an endpoint with none has no entry.
    private readonly ConcurrentDictionary<string, int> _local = new();
    private readonly RecentlyUsed<string, double> _requestSeconds = new(10_000, TimeSpan.FromMinutes(10));

    /// <summary>Notes how long a request to the endpoint took (a moving average per endpoint).</summary>
    public void Observe(string endpointId, TimeSpan duration) =>
        _requestSeconds.AddOrUpdate(endpointId, _ => duration.TotalSeconds, (_, average) => average * 0.8 + duration.TotalSeconds * 0.2);

    /// <summary>How long until the turn in line of a delivery that found the endpoint at its cap; null while Redis is away.</summary>
    public async Task<TimeSpan?> ReserveTurnAsync(string endpointId, int cap)
    {
        var requestSeconds = Math.Max(_requestSeconds.TryGetValue(endpointId, out var seconds) ? seconds : UnknownRequestTime.TotalSeconds, 0.001);
        var (ok, turn) = await circuit.TryAsync(() => GcraScript.RunAsync(_db, RedisKeys.Endpoint.InFlightTurns(endpointId), cap / requestSeconds, burst: 1, reserve: true));
        return ok ? turn : null;
    }

    /// <summary>A lease to release when the request is done, or null when the endpoint is at its cap.</summary>
    public async Task<InFlightLease?> TryAcquireAsync(string endpointId, int cap, TimeSpan leaseFor)
    {
        var id = Guid.NewGuid().ToString("N");
        var key = RedisKeys.Endpoint.InFlight(endpointId);
        var (ok, granted) = await circuit.TryAsync(async () => (long)await Acquire.RunAsync(_db, [key], [(long)leaseFor.TotalMilliseconds, cap, id]) == 1);
        if (ok)
        {
            return granted ? new InFlightLease(this, endpointId, async () => (await circuit.TryAsync(() => _db.SortedSetRemoveAsync(key, id))).Ok, id) : null;
        }
        if (_local.AddOrUpdate(endpointId, 1, (_, n) => n + 1) > cap)
        {
            ReleaseLocal(endpointId);
            return null;
        }
        return new InFlightLease(this, endpointId, () =>
        {
            ReleaseLocal(endpointId);
            return Task.FromResult(true);
        });
    }

    private void ReleaseLocal(string endpointId)
    {
        if (_local.AddOrUpdate(endpointId, 0, (_, n) => n - 1) <= 0)
        {
            // Removed only if still at zero: a request that started meanwhile keeps its count.
            _local.TryRemove(KeyValuePair.Create(endpointId, 0));
        }
    }
}
