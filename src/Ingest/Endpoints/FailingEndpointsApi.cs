using System.Security.Claims;
using Webhooks.Core.Endpoints;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Endpoints;

/// <summary>
/// <c>GET /v1/endpoints/failing</c>: the endpoints failing longest, oldest run of failures first — what an SRE
/// looks at before auto-disable switches them off (an operator's view: the list spans every tenant).
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
        if (Caller.Of(user).NotAnOperator("The list of failing endpoints") is { } refused)
        {
            return refused;
        }
        var longest = await streaks.LongestAsync(limit ?? Paging.DefaultLimit);
        var endpoints = await Task.WhenAll(longest.Select(async f => (await registry.GetAsync(f.EndpointId), f.Since)));
        return TypedResults.Ok(new FailingEndpointList([.. endpoints.Where(e => e.Item1 is not null)
            .Select(e => new FailingEndpointView(e.Item1!.Id, e.Item1.Tenant, e.Item1.Url, e.Item1.Description, e.Item1.Enabled, e.Since))]));
    }
}

/// <summary>An endpoint failing without a success since <see cref="FailingSince"/>.</summary>
public sealed record FailingEndpointView(string EndpointId, string Tenant, string Url, string? Description, bool Enabled, DateTimeOffset FailingSince);

public sealed record FailingEndpointList(IReadOnlyList<FailingEndpointView> Data);
