using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Storage;
using Webhooks.Dispatcher.Degraded;

namespace Webhooks.Dispatcher.RateLimiting;

/// <summary>
/// Per-endpoint rate limits in Redis with the generic cell rate algorithm, on Redis's own clock,
/// in one atomic script: exact across any number of dispatchers. Two cells per endpoint: one
/// that admits requests, and one that hands deferred deliveries their turns, so a backlog wakes
/// up spread out at the rate instead of all at once.
/// </summary>
public sealed class EndpointRateLimiter(RedisStorage redis, RedisCircuit circuit, IOptions<RateLimitOptions> options)
{
    // KEYS[1]: the cell. ARGV: emission interval (µs), burst tolerance (µs), 1 to reserve a turn even if it is later.
    // Returns 0 when admitted now, else the µs until the caller's turn (taken when reserving).
    private const string Gcra = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local interval = tonumber(ARGV[1])
        local tolerance = tonumber(ARGV[2])
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
        if tat < now then tat = now end
        local wait = tat - tolerance - now
        if wait > 0 and ARGV[3] ~= '1' then return wait end
        local next = tat + interval
        redis.call('SET', KEYS[1], next, 'PX', math.ceil((next - now) / 1000) + 1000)
        if wait < 0 then return 0 end
        return wait
        """;

    private readonly IDatabase _db = redis.Database;
    private readonly ConcurrentDictionary<string, LocalCell> _local = new();

    /// <summary>Zero when the endpoint may be called now (the slot is taken), else how long to wait.</summary>
    public async Task<TimeSpan> TryAcquireAsync(WebhookEndpoint endpoint, RateLimit limit)
    {
        var (ok, wait) = await circuit.TryAsync(() => RunAsync($"ratelimit:{endpoint.Id}", limit, reserve: false));
        return ok ? wait : Local(endpoint.Id, limit).TryAcquire();
    }

    /// <summary>Reserves a deferred delivery's turn and returns how long until it.</summary>
    public async Task<TimeSpan> ReserveTurnAsync(WebhookEndpoint endpoint, RateLimit limit)
    {
        var (ok, wait) = await circuit.TryAsync(() => RunAsync($"ratelimit:{endpoint.Id}:turns", limit, reserve: true));
        return ok ? wait : TimeSpan.FromSeconds(1 / (limit.PerSecond * options.Value.FallbackFraction));
    }

    private async Task<TimeSpan> RunAsync(string key, RateLimit limit, bool reserve)
    {
        var interval = (long)(1_000_000 / limit.PerSecond);
        var tolerance = interval * Math.Max(0, (limit.Burst ?? 1) - 1);
        var result = (long)await _db.ScriptEvaluateAsync(Gcra, [key], [interval, tolerance, reserve ? 1 : 0]);
        return TimeSpan.FromMicroseconds(result);
    }

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
