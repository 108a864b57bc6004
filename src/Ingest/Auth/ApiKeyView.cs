namespace Webhooks.Ingest.Auth;

public sealed record ApiKeyView(string Id, string Role, string? Tenant, string? Name, string Prefix, DateTimeOffset CreatedAt, string? Key = null)
{
    public static ApiKeyView Of(ApiKey k, string? secret = null) => new(k.Id, k.Role, k.Tenant, k.Name, k.Prefix, k.CreatedAt, secret);
}
