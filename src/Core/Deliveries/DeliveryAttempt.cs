namespace Webhooks.Core.Deliveries;

/// <summary>One HTTP attempt to deliver an event to an endpoint.</summary>
public sealed record DeliveryAttempt
{
    public required string DeliveryId { get; init; }
    public required string EventId { get; init; }
    public required string EndpointId { get; init; }
    public required int Number { get; init; }
    public required DateTimeOffset At { get; init; }
    public required bool Succeeded { get; init; }
    public int? StatusCode { get; init; }

    /// <summary>timeout, connection_failed, … when no response arrived.</summary>
    public string? Error { get; init; }

    /// <summary>What the error was, in a few words (refused, timed out connecting, the name not found, the certificate untrusted…).</summary>
    public string? ErrorDetail { get; init; }
    public required double DurationMs { get; init; }

    /// <summary>The first bytes of the response body.</summary>
    public string? ResponseBody { get; init; }
    public string? TraceId { get; init; }

    /// <summary>When the next attempt is due; none when this was the last.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The number of the last attempt its retry schedule allows (1 for a test): "attempt 2 of 5".</summary>
    public int? FinalNumber { get; init; }
}
