using System.Text.Json;
using System.Text.Json.Serialization;
using Webhooks.Core.Deliveries;

namespace Webhooks.Ingest.Events;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventRequest(string? Type, string? Tenant, JsonElement? Data, string? Resource, DateTimeOffset? OccurredAt);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventBatchRequest(IReadOnlyList<JsonElement>? Events);

public sealed record EventAccepted(string Id);

public sealed record EventBatchAccepted(IReadOnlyList<string> Ids);

public sealed record EventView(
    string Id,
    string Type,
    string Tenant,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt,
    JsonElement? Data,
    string? Resource,
    IReadOnlyList<DeliveryView> Deliveries);

public sealed record DeliveryView(
    string Id,
    string EndpointId,
    string Status,
    string? DeadLetterReason,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<DeliveryAttempt> Attempts);
