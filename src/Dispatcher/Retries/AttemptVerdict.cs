namespace Webhooks.Dispatcher.Retries;

/// <summary>What becomes of a delivery after an attempt, as <see cref="RetryPolicy"/> decides it.</summary>
public abstract record AttemptVerdict
{
    private AttemptVerdict()
    {
    }

    /// <summary>The subscriber answered 2xx: done.</summary>
    public sealed record Delivered : AttemptVerdict;

    /// <summary>Try again at <paramref name="DueAt"/> (the delay tiers hold it until then); <paramref name="AsAsked"/> when the subscriber's <c>Retry-After</c> set it.</summary>
    public sealed record RetryAt(DateTimeOffset DueAt, bool AsAsked = false) : AttemptVerdict;

    /// <summary>Never again: dead-letter it with <paramref name="Reason"/> (one of <c>DeadLetterReasons</c>).</summary>
    public sealed record DeadLetter(string Reason, string Detail) : AttemptVerdict;

    /// <summary>Switch the endpoint off (<paramref name="Why"/>: <c>gone</c> or <c>failing</c>) and dead-letter the delivery as <c>endpoint_disabled</c>.</summary>
    public sealed record DisableEndpoint(string Why, string Detail) : AttemptVerdict;
}
