using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using StackExchange.Redis;

namespace Webhooks.ServiceDefaults;

/// <summary>
/// <c>webhooks.redis.operations</c>: the operations this process has sent to Redis (a script, a command, a command of a
/// transaction: each one), as StackExchange.Redis counts them — what a webhook costs Redis in requests, beside the
/// commands Redis ran (scripts' included), which Redis's own <c>INFO commandstats</c> counts.
/// </summary>
public static class RedisOperations
{
    public const string MeterName = "Webhooks.Redis";

    private static readonly Meter Meter = new(MeterName);

    // The connections of the hosts running now (tests and the bench start several in one process).
    private static readonly ConcurrentDictionary<IConnectionMultiplexer, byte> Live = new();

    private static readonly ObservableCounter<long> Operations = Meter.CreateObservableCounter("webhooks.redis.operations",
        () => Live.Keys.Sum(redis => redis.OperationCount), unit: "{operation}", description: "Operations this process has sent to Redis.");

    /// <summary>Counts <paramref name="redis"/>'s operations until the returned handle is disposed.</summary>
    public static IDisposable Observe(IConnectionMultiplexer redis)
    {
        Live.TryAdd(redis, 0);
        return new Unobserve(redis);
    }

    private sealed class Unobserve(IConnectionMultiplexer redis) : IDisposable
    {
        public void Dispose() => Live.TryRemove(redis, out _);
    }
}
