using System.Text.Json.Serialization;

namespace Webhooks.Ingest.Auth;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ApiKeyRequest(string? Role, string? Tenant, string? Name);
