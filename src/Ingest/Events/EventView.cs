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
    bool Test = false,
    IReadOnlyList<UnmatchedEndpointView>? Unmatched = null,
    IReadOnlyList<string>? SchemaViolations = null);

/// <summary>
/// An endpoint of the event's tenant the event is no delivery of, and why: its event types, or the clause of its payload filter
/// that did not hold (<c>?explain=true</c>; the endpoints as they are now).
/// </summary>
public sealed record UnmatchedEndpointView(string EndpointId, string Reason, string? Clause);
