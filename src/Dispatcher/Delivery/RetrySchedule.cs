using Microsoft.Extensions.Options;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>Whether and when a failed attempt is tried again.</summary>
public sealed class RetrySchedule(IOptions<RetryOptions> options)
{
    private readonly RetryOptions _options = options.Value;

    /// <summary>Attempts in all: the first and one per wait of the schedule.</summary>
    public int MaxAttempts => _options.Waits.Count + 1;

    /// <summary>The wait before the attempt after <paramref name="attempt"/>, or null when that was the last one.</summary>
    public TimeSpan? WaitAfter(int attempt, SendResult result)
    {
        if (attempt >= MaxAttempts)
        {
            return null;
        }
        if (result.StatusCode is 429 or 503 && result.RetryAfter is { } retryAfter)
        {
            // The subscriber said when: never earlier, a little later at most, and within bounds.
            var bounded = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter > _options.MaxRetryAfter ? _options.MaxRetryAfter : retryAfter;
            return bounded + bounded * (Random.Shared.NextDouble() * _options.Jitter);
        }
        var wait = _options.Waits[attempt - 1];
        return wait + wait * ((Random.Shared.NextDouble() * 2 - 1) * _options.Jitter);
    }
}
