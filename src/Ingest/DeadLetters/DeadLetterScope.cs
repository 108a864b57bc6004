using System.Security.Claims;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.Auth;

namespace Webhooks.Ingest.DeadLetters;

/// <summary>
/// Which dead letters a caller's filter names, with the tenant they belong to: a tenant-bound key that
/// names another tenant is refused (403), an endpoint it cannot see is not found (404), and a filter by
/// endpoint alone is scoped to that endpoint's tenant, so that bulk actions and jobs are audited under it.
/// </summary>
public sealed class DeadLetterScope(EndpointRegistry registry, DeadLetterIndex index)
{
    public async Task<(DeadLetterFilter? Filter, IResult? Problem)> ResolveAsync(ClaimsPrincipal user, string? endpointId, string? tenant, string? reason, DateTimeOffset? since, DateTimeOffset? until)
    {
        var caller = Caller.Of(user);
        var (forTenant, forbidden) = caller.ActFor(tenant);
        if (forbidden is not null)
        {
            return (null, forbidden);
        }
        var errors = new Dictionary<string, string[]>();
        if (forTenant is not null && EventRules.CheckTenant(forTenant) is { } tenantError)
        {
            errors["tenant"] = [tenantError];
        }
        if (since >= until)
        {
            errors["since"] = ["since must be before until."];
        }
        if (errors.Count > 0)
        {
            return (null, TypedResults.ValidationProblem(errors, title: "The filter is not valid"));
        }
        if (endpointId is not null)
        {
            // The endpoint's tenant; for a deleted endpoint, that of its dead letters.
            var owner = await registry.TenantOfAsync(endpointId)
                ?? (await index.ListAsync(new DeadLetterFilter(EndpointId: endpointId), null, 1)).Found.FirstOrDefault()?.Tenant;
            if (owner is not null && !caller.Sees(owner))
            {
                return (null, TypedResults.Problem($"No endpoint '{endpointId}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found"));
            }
            forTenant ??= owner;
        }
        return (new DeadLetterFilter(endpointId, forTenant, reason, since, until), null);
    }
}
