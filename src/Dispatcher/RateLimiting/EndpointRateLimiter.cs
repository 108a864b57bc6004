using Webhooks.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Storage;
using Webhooks.Dispatcher.Degraded;

namespace Webhooks.Dispatcher.RateLimiting;

/// <summary>
/// Per-endpoint rate limits in Redis with the generic cell rate algorithm, on Redis's own clock,
/// in one atomic script (<see cref="GcraScript"/>): exact across any number of dispatchers. Two cells per endpoint: one
/// that admits requests, and one that hands deferred deliveries their turns, so a backlog wakes
/// up spread out at the rate instead of all at once.
/// </summary>
public sealed class EndpointRateLimiter(RedisStorage redis, RedisCircuit circuit, IOptions<RateLimitOptions> options)
{
    private readonly IDatabase _db = redis.Database;
    // Used only while Redis is away; an endpoint not limited here for a while starts a new cell.
    private readonly RecentlyUsed<string, LocalCell> _local = new(10_000, TimeSpan.FromMinutes(10));

    /// <summary>Zero when the endpoint may be called now (the slot is taken), else how long to wait.</summary>
    public async Task<TimeSpan> TryAcquireAsync(WebhookEndpoint endpoint, RateLimit limit)
    {
        // The tolerance keeps room for a request beginning up to the send slack after its turn (StartGate).
        var (ok, wait) = await circuit.TryAsync(() => GcraScript.RunAsync(_db, RedisKeys.Endpoint.RateCell(endpoint.Id), limit.PerSecond, limit.Burst ?? 1, toleranceCut: options.Value.SendSlack));
        return ok ? wait : Local(endpoint.Id, limit).TryAcquire();
    }

    /// <summary>Reserves a deferred delivery's turn and returns how long until it.</summary>
    public async Task<TimeSpan> ReserveTurnAsync(WebhookEndpoint endpoint, RateLimit limit)
    {
        var (ok, wait) = await circuit.TryAsync(() => RunAsync(RedisKeys.Endpoint.RateTurns(endpoint.Id), limit, reserve: true));
        return ok ? wait : TimeSpan.FromSeconds(1 / (limit.PerSecond * options.Value.FallbackFraction));
    }

    private Task<TimeSpan> RunAsync(string key, RateLimit limit, bool reserve) =>
        GcraScript.RunAsync(_db, key, limit.PerSecond, limit.Burst ?? 1, reserve);

    private LocalCell Local(string endpointId, RateLimit limit) =>
        _local.AddOrUpdate(endpointId, _ => new LocalCell(limit, options.Value.FallbackFraction), (_, cell) => cell.Matches(limit) ? cell : new LocalCell(limit, options.Value.FallbackFraction));

    /// <summary>The same algorithm in memory, at a fraction of the rate, for while Redis is away: limited, never unlimited.</summary>
    private sealed class LocalCell(RateLimit limit, double fraction)
    {
        private readonly long _interval = (long)(TimeSpan.TicksPerSecond / (limit.PerSecond * fraction));
        // The burst shrinks with the rate, so N dispatchers at 1/N stay within the whole limit together.
        private readonly long _tolerance = (long)(TimeSpan.TicksPerSecond / (limit.PerSecond * fraction)) * Math.Max(0, (int)((limit.Burst ?? 1) * fraction) - 1);
        private long _tat;

        public bool Matches(RateLimit other) => other == limit;

        public TimeSpan TryAcquire()
        {
            lock (this)
            {
                var now = DateTime.UtcNow.Ticks;
                var tat = Math.Max(_tat, now);
                var wait = tat - _tolerance - now;
                if (wait > 0)
                {
                    return TimeSpan.FromTicks(wait);
                }
                _tat = tat + _interval;
                return TimeSpan.Zero;
            }
        }
    }
}
