using System.Security.Claims;

namespace Webhooks.Ingest.Auth;

/// <summary>Who is calling: a key's role and, for a tenant-bound key, the only tenant it may see.</summary>
public sealed record Caller(string Role, string? Tenant)
{
    public static Caller Of(ClaimsPrincipal user) =>
        new(user.FindFirstValue(ApiKeyAuthentication.RoleClaim) ?? "", user.FindFirstValue(ApiKeyAuthentication.TenantClaim));

    /// <summary>Whether the caller may see something of <paramref name="tenant"/>; what it may not see answers 404, as if it did not exist.</summary>
    public bool Sees(string tenant) => Tenant is null || Tenant == tenant;

    /// <summary>The tenant a request acts for: the one it names, or the key's own when it names none.</summary>
    public string? TenantFor(string? requested) => requested ?? Tenant;

    /// <summary>
    /// The tenant a request acts for or lists (see <see cref="TenantFor"/>), and the 403 when this key may not:
    /// a tenant-bound key that names another tenant is refused, never quietly given its own tenant's instead.
    /// </summary>
    public (string? Tenant, IResult? Forbidden) ActFor(string? requested) =>
        TenantFor(requested) is { } tenant && !Sees(tenant) ? (tenant, WrongTenant(tenant)) : (TenantFor(requested), null);

    public IResult WrongTenant(string tenant) =>
        TypedResults.Problem($"This API key is bound to tenant '{Tenant}' and cannot act for '{tenant}'.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
}
