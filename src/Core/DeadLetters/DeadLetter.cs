using Webhooks.Contracts;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Storage;

namespace Webhooks.Core.DeadLetters;

/// <summary>A dead letter as indexed: what was dead-lettered, why, and what to redrive.</summary>
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

    public static DeadLetter From(string id, DeliveryDeadLettered message) => new()
    {
        Id = id,
        Reason = message.Reason,
        Detail = message.Detail,
        EventId = message.EventId,
        Tenant = message.Tenant,
        EndpointId = message.Delivery?.EndpointId,
        DeliveryId = message.Delivery?.DeliveryId,
        EventType = message.Delivery?.Type ?? message.Event?.Type,
        DeadLetteredAt = message.DeadLetteredAt,
        LastAttempt = message.LastAttempt,
        Delivery = message.Delivery,
        Event = message.Event,
    };
}

/// <summary>A page of dead letters, and where the next one starts (null: there is none).</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Found, IndexPosition? Next);
