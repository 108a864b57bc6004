namespace Webhooks.Dispatcher.Deliveries;

/// <summary>What one POST to a subscriber came to.</summary>
public sealed record SendResult(int? StatusCode, string? Error, TimeSpan Duration, string? ResponseBody, TimeSpan? RetryAfter = null, string? ErrorDetail = null)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>Not sent at all: it began too late for its rate-limit turn and its next turn is this far off (not an attempt).</summary>
    public TimeSpan? NotSentFor { get; init; }
}
