namespace Webhooks.Core.Deliveries;

/// <summary>The outcome of one delivery attempt.</summary>
public sealed record AttemptOutcome
{
    /// <summary>Attempt number, from 1.</summary>
    public required int Number { get; init; }

    /// <summary>When the request was sent.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The HTTP status, when a response arrived.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The kind of failure without a response (timeout, connection_refused, …).</summary>
    public string? Error { get; init; }

    /// <summary>What the error was, in a few words.</summary>
    public string? ErrorDetail { get; init; }

    /// <summary>How long the attempt took.</summary>
    public required double DurationMs { get; init; }

    /// <summary>The trace the attempt was made in (its subscriber's <c>traceparent</c>).</summary>
    public string? TraceId { get; init; }
}
