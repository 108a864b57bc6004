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
/// <c>POST /v1/endpoints/{id}/replay?since=&amp;until=</c>: delivers to the endpoint the events of its types
/// that it never received since a time — those from before it was created or subscribed (no delivery
/// at all), and those dead-lettered because it was disabled — each once.
/// Both over one page here; beyond it as a job (<c>POST /v1/jobs</c>).
/// </summary>
public static class RecoverReplayApi
{
    public static IEndpointRouteBuilder MapRecoverReplayApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/endpoints/{id}/recover", Recover).WithTags("Endpoints").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        routes.MapPost("/v1/endpoints/{id}/replay", Replay).WithTags("Endpoints").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        return routes;
    }

    private static async Task<IResult> Recover(string id, ClaimsPrincipal user, EndpointRegistry registry, BulkDeliveries bulk, AuditLog audit,
        DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var (endpoint, refused) = await Window.CheckAsync(id, since, until, "recover", user, registry);
        if (endpoint is null)
        {
            return refused!;
        }
        var (redriven, resent, next) = await bulk.RecoverAsync(endpoint, since!.Value, until, null, cancellationToken);
        await audit.RecordAsync(user, "deliveries.recovered", endpoint.Tenant, id, new { since, until, redriven, resent });
        return TypedResults.Ok(new RecoverResult(redriven, resent, Complete: next is null));
    }

    private static async Task<IResult> Replay(string id, ClaimsPrincipal user, EndpointRegistry registry, BulkDeliveries bulk, AuditLog audit,
        DateTimeOffset? since, DateTimeOffset? until, string? after, CancellationToken cancellationToken)
    {
        var (position, cursorProblem) = Paging.ReadPosition(after);
        if (cursorProblem is not null)
        {
            return cursorProblem;
        }
        var (endpoint, refused) = await Window.CheckAsync(id, since, until, "replay", user, registry);
        if (endpoint is null)
        {
            return refused!;
        }
        var (replayed, redriven, next) = await bulk.ReplayAsync(endpoint, since!.Value, until, position, cancellationToken);
        await audit.RecordAsync(user, "deliveries.replayed", endpoint.Tenant, id, new { since, until, replayed, redriven });
        return TypedResults.Ok(new ReplayResult(replayed, redriven, Paging.Cursor(next)));
    }
}

/// <summary>What a recover did: dead letters redriven, failing deliveries sent now; Complete is false when there were more dead letters than one call redrives (call it again).</summary>
public sealed record RecoverResult(int Redriven, int Resent, bool Complete);

/// <summary>What a replay did: events never delivered there, sent; dead letters of the endpoint's time switched off, redriven; where to go on (null: done).</summary>
public sealed record ReplayResult(int Replayed, int Redriven, string? NextAfter);
