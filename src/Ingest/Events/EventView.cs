using System.Text.Json;

namespace Webhooks.Ingest.Events;

public sealed record EventView(
    string Id,
    string Type,
    string Tenant,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt,
    JsonElement? Data,
    string? Resource,
    IReadOnlyList<DeliveryView> Deliveries);
