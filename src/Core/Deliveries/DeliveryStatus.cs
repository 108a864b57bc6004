namespace Webhooks.Core.Deliveries;

/// <summary>Where one (event, endpoint) pair stands.</summary>
public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string DeadLettered = "dead_lettered";
}

/// <summary>The current state of one delivery, kept with its event.</summary>
public sealed record DeliveryRecord
{
    public required string Id { get; init; }
    public required string EndpointId { get; init; }
    public required string Status { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    public string? DeadLetterReason { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

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
    public required double DurationMs { get; init; }

    /// <summary>The first bytes of the response body.</summary>
    public string? ResponseBody { get; init; }
    public string? TraceId { get; init; }

    /// <summary>When the next attempt is due; none when this was the last.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}
