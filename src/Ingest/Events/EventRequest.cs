using System.Text.Json;
using System.Text.Json.Serialization;

namespace Webhooks.Ingest.Events;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventRequest(string? Type, string? Tenant, JsonElement? Data, string? Resource, DateTimeOffset? OccurredAt);
