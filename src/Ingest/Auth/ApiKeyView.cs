using System.Text.Json.Serialization;

namespace Webhooks.Ingest.Auth;

/// <summary>A key as the API shows it: never the key itself, but in the one answer that creates it (<c>key</c>).</summary>
public sealed record ApiKeyView(string Id, string Role, string? Tenant, string? Name, string Prefix, DateTimeOffset CreatedAt, string? Key = null)
{
    public static ApiKeyView Of(ApiKey k, string? secret = null) => new(k.Id, k.Role, k.Tenant, k.Name, k.Prefix, k.CreatedAt, secret);
}

/// <summary>A page of API keys (never the keys themselves); <c>nextAfter</c> (null at the end) goes in <c>after</c> for the next one.</summary>
public sealed record ApiKeyPage(IReadOnlyList<ApiKeyView> Data, string? NextAfter);

/// <summary><c>POST /v1/api-keys</c>: a role (<see cref="ApiKeyRoles"/>), optionally a tenant it is bound to, and a name.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ApiKeyRequest(string? Role, string? Tenant, string? Name);
