using System.Text.Json;
using Webhooks.Core.DeadLetters;

namespace Webhooks.Ingest.DeadLetters;

/// <summary>A dead letter as the API shows it: why it was dead-lettered, the delivery a redrive sends again, or the event that was refused.</summary>
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
    DeadLetterDeliveryView? Delivery,
    DeadLetterEventView? Event)
{
    public static DeadLetterView Of(DeadLetter d) => new(
        d.Id, d.Reason, d.Detail, d.EventId, d.Tenant, d.EndpointId, d.DeliveryId, d.EventType, d.DeadLetteredAt,
        d.LastAttempt is { } a ? new LastAttemptView(a.Number, a.At, a.StatusCode, a.Error, a.ErrorDetail, a.DurationMs, a.TraceId) : null,
        d.Delivery is { } m ? new DeadLetterDeliveryView(m.DeliveryId, m.EndpointId, m.EventId, m.Type, m.Tenant, m.OccurredAt, m.Data, m.Resource, m.Attempt, m.DueAt) : null,
        // The event, whichever way it was dead-lettered: as refused at fan-out, or as its delivery carries it.
        d.Event is { } e ? new DeadLetterEventView(e.EventId, e.Type, e.Tenant, e.OccurredAt, e.Data, e.Resource)
            : d.Delivery is { } p ? new DeadLetterEventView(p.EventId, p.Type, p.Tenant, p.OccurredAt, p.Data, p.Resource) : null);
}

/// <summary>The last attempt before a delivery was dead-lettered.</summary>
public sealed record LastAttemptView(int Number, DateTimeOffset At, int? StatusCode, string? Error, string? ErrorDetail, double DurationMs, string? TraceId = null);

/// <summary>The delivery a dead letter holds: what a redrive sends again (with a fresh schedule).</summary>
public sealed record DeadLetterDeliveryView(
    string DeliveryId,
    string EndpointId,
    string EventId,
    string Type,
    string Tenant,
    DateTimeOffset OccurredAt,
    JsonElement? Data,
    string? Resource,
    int Attempt,
    DateTimeOffset? DueAt);

/// <summary>An event refused before fan-out (a bus-published event that failed validation), as it was published.</summary>
public sealed record DeadLetterEventView(string? EventId, string? Type, string? Tenant, DateTimeOffset? OccurredAt, JsonElement? Data, string? Resource);

/// <summary>A page of dead letters; <c>nextAfter</c> (null at the end) goes in <c>after</c> for the next one.</summary>
public sealed record DeadLetterList(IReadOnlyList<DeadLetterView> Data, string? NextAfter);

/// <summary>What a redrive did; <c>nextAfter</c> (null when it reached the end) goes in <c>after</c> to go on.</summary>
public sealed record RedriveResult(int Redriven, int NotRedrivable, string? NextAfter);

/// <summary>What a purge did; <c>nextAfter</c> (null when it reached the end) goes in <c>after</c> to go on.</summary>
public sealed record PurgeResult(int Purged, string? NextAfter);
