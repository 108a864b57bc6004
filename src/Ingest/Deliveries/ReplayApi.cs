using System.Security.Claims;
using Webhooks.Core.Endpoints;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Deliveries;

/// <summary>
/// <c>POST /v1/endpoints/{id}/replay?since=&amp;until=</c>: delivers to the endpoint the events of its types
/// that it never received since a time — those from before it was created or subscribed (no delivery
/// at all), and those dead-lettered because it was disabled — each once.
/// </summary>
public static class ReplayApi
{
    public static IEndpointRouteBuilder MapReplayApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/endpoints/{id}/replay", Replay).WithTags("Endpoints").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        return routes;
    }

    private static async Task<IResult> Replay(string id, ClaimsPrincipal user, EndpointRegistry registry, BulkDeliveries bulk, AuditLog audit,
        DateTimeOffset? since, DateTimeOffset? until, string? after, CancellationToken cancellationToken)
    {
        var (position, cursorProblem) = Paging.ReadPosition(after);
        if ((Window.Problem(since, until, "replay") ?? cursorProblem) is { } problem)
        {
            return problem;
        }
        var (endpoint, refused) = await Window.EndpointAsync(id, user, registry);
        if (endpoint is null)
        {
            return refused!;
        }
        var (replayed, redriven, next) = await bulk.ReplayAsync(endpoint, since!.Value, until, position, cancellationToken);
        await audit.RecordAsync(user, "deliveries.replayed", endpoint.Tenant, id, new { since, until, replayed, redriven });
        return TypedResults.Ok(new ReplayResult(replayed, redriven, Paging.Cursor(next)));
    }
}

/// <summary>What a replay did: events never delivered there, sent; dead letters of the endpoint's time switched off, redriven; where to go on (null: done).</summary>
public sealed record ReplayResult(int Replayed, int Redriven, string? NextAfter);
