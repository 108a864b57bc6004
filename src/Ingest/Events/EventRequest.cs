using System.Text.Json;
using System.Text.Json.Serialization;

namespace Webhooks.Ingest.Events;

/// <summary><c>POST /v1/events</c>: an event to publish (docs/api.md).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventRequest(string? Type, string? Tenant, JsonElement? Data, string? Resource, DateTimeOffset? OccurredAt);

/// <summary><c>POST /v1/events/batch</c>: up to the batch limit of events, each read as an <see cref="EventRequest"/>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventBatchRequest(IReadOnlyList<JsonElement>? Events);

/// <summary>The answer to an accepted event: its id (<c>202</c>).</summary>
public sealed record EventAccepted(string Id);

/// <summary>The answer to an accepted batch: the events' ids, in the batch's order (<c>202</c>).</summary>
public sealed record EventBatchAccepted(IReadOnlyList<string> Ids);
