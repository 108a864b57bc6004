using Webhooks.Core.DeadLetters;

namespace Webhooks.Ingest.DeadLetters;

/// <summary>A dead letter as the API shows it: why it was parked, the delivery a redrive sends again, or the event that was refused.</summary>
public sealed record DeadLetterView(
    string Id,
    string Reason,
    string Detail,
    string EventId,
    string Tenant,
    string? EndpointId,
    string? DeliveryId,
    string? EventType,
    DateTimeOffset DeadLetteredAt,
    LastAttemptView? LastAttempt,
    ParkedDeliveryView? Delivery,
    ParkedEventView? Event)
{
    public static DeadLetterView Of(DeadLetter d) => new(
        d.Id, d.Reason, d.Detail, d.EventId, d.Tenant, d.EndpointId, d.DeliveryId, d.EventType, d.DeadLetteredAt,
        d.LastAttempt is { } a ? new LastAttemptView(a.Number, a.At, a.StatusCode, a.Error, a.ErrorDetail, a.DurationMs, a.TraceId) : null,
        d.Delivery is { } m ? new ParkedDeliveryView(m.DeliveryId, m.EndpointId, m.EventId, m.Type, m.Tenant, m.OccurredAt, m.Data, m.Resource, m.Attempt, m.DueAt) : null,
        // The event, whichever way it was parked: as refused at fan-out, or as its delivery carries it.
        d.Event is { } e ? new ParkedEventView(e.EventId, e.Type, e.Tenant, e.OccurredAt, e.Data, e.Resource)
            : d.Delivery is { } p ? new ParkedEventView(p.EventId, p.Type, p.Tenant, p.OccurredAt, p.Data, p.Resource) : null);
}
