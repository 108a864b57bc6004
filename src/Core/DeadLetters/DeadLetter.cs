using Webhooks.Contracts;
using Webhooks.Core.Deliveries;

namespace Webhooks.Core.DeadLetters;

/// <summary>A dead letter as indexed: what was parked, why, and what to redrive.</summary>
public sealed record DeadLetter
{
    public required string Id { get; init; }
    public required string Reason { get; init; }
    public required string Detail { get; init; }
    public required string EventId { get; init; }
    public required string Tenant { get; init; }
    public string? EndpointId { get; init; }
    public string? DeliveryId { get; init; }
    public string? EventType { get; init; }
    public required DateTimeOffset DeadLetteredAt { get; init; }
    public AttemptOutcome? LastAttempt { get; init; }
    public DeliverWebhook? Delivery { get; init; }
    public EventPublished? Event { get; init; }

    /// <summary>
    /// True when the delivery's data is not stored here but read from the stored event (kept as long
    /// as its dead letters): one copy per event, not one per endpoint.
    /// </summary>
    public bool DataInEvent { get; init; }

    public static DeadLetter From(string id, DeliveryDeadLettered parked) => new()
    {
        Id = id,
        Reason = parked.Reason,
        Detail = parked.Detail,
        EventId = parked.EventId,
        Tenant = parked.Tenant,
        EndpointId = parked.Delivery?.EndpointId,
        DeliveryId = parked.Delivery?.DeliveryId,
        EventType = parked.Delivery?.Type ?? parked.Event?.Type,
        DeadLetteredAt = parked.DeadLetteredAt,
        LastAttempt = parked.LastAttempt,
        Delivery = parked.Delivery,
        Event = parked.Event,
    };
}
