using System.Text.Json;
using System.Text.Json.Serialization;

namespace Webhooks.Ingest.Events;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventBatchRequest(IReadOnlyList<JsonElement>? Events);
