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

/// <summary>Names one attempt in a log: its delivery, number and time (a redriven delivery numbers its attempts anew).</summary>
public sealed record AttemptPosition(string DeliveryId, int Number, long AtTicks)
{
    public static AttemptPosition Of(DeliveryAttempt attempt) => new(attempt.DeliveryId, attempt.Number, attempt.At.UtcTicks);

    public bool Names(DeliveryAttempt attempt) => attempt.DeliveryId == DeliveryId && attempt.Number == Number && attempt.At.UtcTicks == AtTicks;
}
