using System.Security.Claims;
using Webhooks.Core.Endpoints;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Deliveries;

/// <summary>
/// <c>POST /v1/endpoints/{id}/recover?since=&amp;until=</c>: delivers again every delivery to the endpoint
/// that failed in the window — the dead-lettered ones (redriven) and the ones still waiting for a retry
/// (sent now; their scheduled retry is then dropped once one succeeds) — and no other.
/// </summary>
public static class RecoverApi
{
    public static IEndpointRouteBuilder MapRecoverApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/endpoints/{id}/recover", Recover).WithTags("Endpoints").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        return routes;
    }

    private static async Task<IResult> Recover(string id, ClaimsPrincipal user, EndpointRegistry registry, BulkDeliveries bulk, AuditLog audit,
        DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        if (Window.Problem(since, until, "recover") is { } problem)
        {
            return problem;
        }
        var (endpoint, refused) = await Window.EndpointAsync(id, user, registry);
        if (endpoint is null)
        {
            return refused!;
        }
        var (redriven, resent, next) = await bulk.RecoverAsync(endpoint, since!.Value, until, null, cancellationToken);
        await audit.RecordAsync(user, "deliveries.recovered", endpoint.Tenant, id, new { since, until, redriven, resent });
        return TypedResults.Ok(new RecoverResult(redriven, resent, Complete: next is null));
    }
}

/// <summary>What a recover did: dead letters redriven, failing deliveries sent now; Complete is false when there were more dead letters than one call redrives (call it again).</summary>
public sealed record RecoverResult(int Redriven, int Resent, bool Complete);
