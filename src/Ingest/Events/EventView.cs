using System.Text.Json;

namespace Webhooks.Ingest.Events;

/// <summary>An event and a page of its deliveries (by endpoint id; <c>nextAfter</c> goes in <c>after</c> for the next page).</summary>
public sealed record EventView(
    string Id,
    string Type,
    string Tenant,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt,
    JsonElement? Data,
    string? Resource,
    IReadOnlyList<DeliveryView> Deliveries,
    string? NextAfter,
    bool Test = false);
