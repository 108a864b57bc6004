using System.Text.Json;

namespace Webhooks.Ingest.DeadLetters;

/// <summary>The delivery a dead letter holds: what a redrive sends again (with a fresh schedule).</summary>
public sealed record ParkedDeliveryView(
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
