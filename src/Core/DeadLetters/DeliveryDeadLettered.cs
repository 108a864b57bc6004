using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;

// Named on the wire by its namespace, as DeliverWebhook is (see there): dead letters queued across an upgrade are still indexed.
namespace Webhooks.Contracts;

/// <summary>
/// A delivery (or an event) that will not be attempted again, dead-lettered with its reason so it can
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

    /// <summary>When it was dead-lettered.</summary>
    public required DateTimeOffset DeadLetteredAt { get; init; }

    /// <summary>The delivery to redrive; absent for an event that was invalid before fan-out.</summary>
    public DeliverWebhook? Delivery { get; init; }

    /// <summary>The event as published, for an event rejected before fan-out.</summary>
    public EventPublished? Event { get; init; }

    /// <summary>The last attempt made, if any.</summary>
    public AttemptOutcome? LastAttempt { get; init; }
}
