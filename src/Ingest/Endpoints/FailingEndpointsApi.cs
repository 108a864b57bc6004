using System.Security.Claims;
using Webhooks.Core.Endpoints;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Endpoints;

/// <summary>
/// <c>GET /v1/endpoints/failing</c>: the endpoints failing longest, oldest run of failures first — what an SRE
/// looks at before auto-disable switches them off (a tenant-bound key sees its tenant's).
/// </summary>
public static class FailingEndpointsApi
{
    public static IEndpointRouteBuilder MapFailingEndpointsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/endpoints/failing", List).WithTags("Endpoints").RequireAuthorization(AuthRegistration.Admin);
        return routes;
    }

    private static async Task<IResult> List(HttpRequest request, ClaimsPrincipal user, FailureStreaks streaks, EndpointRegistry registry, int? limit)
    {
        if (Paging.Problem(request, limit) is { } problem)
        {
            return problem;
        }
        var caller = Caller.Of(user);
        var wanted = limit ?? Paging.DefaultLimit;
        // A tenant's key reads further down the list for its own.
        var longest = await streaks.LongestAsync(caller.Tenant is null ? wanted : wanted * 10);
        var failing = new List<FailingEndpointView>();
        foreach (var (id, since) in longest)
        {
            if (await registry.GetAsync(id) is { } endpoint && caller.Sees(endpoint.Tenant) && failing.Count < wanted)
            {
                failing.Add(new FailingEndpointView(endpoint.Id, endpoint.Tenant, endpoint.Url, endpoint.Description, endpoint.Enabled, since));
            }
        }
        return TypedResults.Ok(new FailingEndpointList(failing));
    }
}

/// <summary>An endpoint failing without a success since <see cref="FailingSince"/>.</summary>
public sealed record FailingEndpointView(string EndpointId, string Tenant, string Url, string? Description, bool Enabled, DateTimeOffset FailingSince);

public sealed record FailingEndpointList(IReadOnlyList<FailingEndpointView> Data);
