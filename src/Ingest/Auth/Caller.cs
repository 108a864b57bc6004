using System.Security.Claims;

namespace Webhooks.Ingest.Auth;

/// <summary>Who is calling: a key's role and, for a tenant-bound key, the only tenant it may see.</summary>
public sealed record Caller(string Role, string? Tenant)
{
    public static Caller Of(ClaimsPrincipal user) =>
        new(user.FindFirstValue(ApiKeyAuthentication.RoleClaim) ?? "", user.FindFirstValue(ApiKeyAuthentication.TenantClaim))
        {
            Endpoints = user.HasClaim(Portal.PortalScope.LimitedClaim, "true") ? user.FindAll(Portal.PortalScope.EndpointClaim).Select(c => c.Value).ToHashSet() : null,
        };

    /// <summary>For a portal session limited to some endpoints, those; null: every endpoint of its tenant.</summary>
    public IReadOnlySet<string>? Endpoints { get; init; }

    /// <summary>Whether the caller may see the endpoint (of a tenant it <see cref="Sees"/>).</summary>
    public bool SeesEndpoint(string id) => Endpoints is null || Endpoints.Contains(id);

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

    /// <summary>The tenant a list is of (see <see cref="ActFor"/>), or why not: 403 for another tenant than the key's, 400 for a name that is none.</summary>
    public (string? Tenant, IResult? Refused) ListFor(string? requested)
    {
        var (tenant, forbidden) = ActFor(requested);
        if (forbidden is not null)
        {
            return (tenant, forbidden);
        }
        return tenant is not null && Core.Events.EventRules.CheckTenant(tenant) is { } error
            ? (tenant, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tenant"] = [error] }))
            : (tenant, null);
    }

    /// <summary>The 403 for a tenant-bound key asking for what spans every tenant (<paramref name="what"/>), or null for an operator.</summary>
    public IResult? NotAnOperator(string what) => Tenant is { } bound
        ? TypedResults.Problem($"{what} is for an operator (an admin key bound to no tenant); this key is bound to '{bound}'.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden")
        : null;

    public IResult WrongTenant(string tenant) =>
        TypedResults.Problem($"This API key is bound to tenant '{Tenant}' and cannot act for '{tenant}'.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
}
