namespace Webhooks.Contracts;

/// <summary>
/// A delivery (or an event) that will not be attempted again, parked with its reason so it can
/// be inspected and redriven.
/// </summary>
public sealed record DeliveryDeadLettered
{
    /// <summary>One of <see cref="DeadLetterReasons"/>.</summary>
    public required string Reason { get; init; }

    /// <summary>What went wrong, in words.</summary>
    public required string Detail { get; init; }

    /// <summary>The event id.</summary>
    public required string EventId { get; init; }

    /// <summary>The event's tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>When it was parked.</summary>
    public required DateTimeOffset DeadLetteredAt { get; init; }

    /// <summary>The delivery to redrive; absent for an event that was invalid before fan-out.</summary>
    public DeliverWebhook? Delivery { get; init; }

    /// <summary>The event as published, for an event rejected before fan-out.</summary>
    public EventPublished? Event { get; init; }

    /// <summary>The last attempt made, if any.</summary>
    public AttemptOutcome? LastAttempt { get; init; }
}

/// <summary>Why a delivery was dead-lettered.</summary>
public static class DeadLetterReasons
{
    /// <summary>Every scheduled attempt failed.</summary>
    public const string Exhausted = "exhausted";

    /// <summary>The endpoint was disabled when the delivery was due.</summary>
    public const string EndpointDisabled = "endpoint_disabled";

    /// <summary>The endpoint no longer exists.</summary>
    public const string EndpointDeleted = "endpoint_deleted";

    /// <summary>The destination is refused by the SSRF guard.</summary>
    public const string BlockedDestination = "blocked_destination";

    /// <summary>A bus-published event failed validation.</summary>
    public const string InvalidEvent = "invalid_event";
}

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

    /// <summary>How long the attempt took.</summary>
    public required double DurationMs { get; init; }
}
