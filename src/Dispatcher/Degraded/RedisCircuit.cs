using StackExchange.Redis;

namespace Webhooks.Dispatcher.Degraded;

/// <summary>
/// Whether Redis answers. After a failure (or a call slower than the budget), Redis is left alone
/// for a short pause and the dispatcher runs degraded: cached endpoints, a local rate limiter,
/// buffered attempt records. Logs and the <c>webhooks.redis.degraded</c> gauge say so.
/// </summary>
public sealed partial class RedisCircuit(ILogger<RedisCircuit> logger)
{
    // Generous, so that a busy machine is not taken for a Redis outage (which would loosen rate limits).
    public static readonly TimeSpan CallBudget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(2);

    private long _openUntilTicks;
    private int _degraded;

    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    /// <summary>Runs a Redis call within the budget; false (and the fallback's turn) when Redis is away.</summary>
    public async Task<(bool Ok, T? Value)> TryAsync<T>(Func<Task<T>> call)
    {
        if (DateTime.UtcNow.Ticks < Interlocked.Read(ref _openUntilTicks))
        {
            return (false, default);
        }
        try
        {
            var value = await call().WaitAsync(CallBudget);
            if (Interlocked.Exchange(ref _degraded, 0) == 1)
            {
                LogRecovered();
            }
            return (true, value);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Interlocked.Exchange(ref _openUntilTicks, (DateTime.UtcNow + Pause).Ticks);
            if (Interlocked.Exchange(ref _degraded, 1) == 0)
            {
                LogDegraded(e);
            }
            return (false, default);
        }
    }

    public async Task<bool> TryAsync(Func<Task> call) => (await TryAsync(async () => { await call(); return true; })).Ok;

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis is unreachable: running DEGRADED (cached endpoints, local rate limits, attempt records buffered)")]
    private partial void LogDegraded(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis answers again: leaving degraded mode")]
    private partial void LogRecovered();
}
