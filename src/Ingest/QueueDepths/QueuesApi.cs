using System.Security.Claims;
using Webhooks.Core.QueueDepths;
using Webhooks.Ingest.Auth;

namespace Webhooks.Ingest.QueueDepths;

/// <summary>
/// <c>GET /v1/queues</c>: every queue's ready messages and consumers, and each lane's oldest wait, as the
/// dispatchers last sampled them for their gauges (an operator's view: the queues span every tenant).
/// </summary>
public static class QueuesApi
{
    public static IEndpointRouteBuilder MapQueuesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/queues", async (ClaimsPrincipal user, QueueSnapshots snapshots) =>
            Caller.Of(user).NotAnOperator("The queues") is { } refused
                ? refused
                : await snapshots.ReadAsync() is { } snapshot
                    ? TypedResults.Ok(snapshot)
                    : TypedResults.Problem("No dispatcher has sampled the queues lately (none running, or none reaching RabbitMQ or Redis).", statusCode: StatusCodes.Status404NotFound, title: "No sample"))
            .WithTags("Queues").RequireAuthorization(AuthRegistration.Admin);
        return routes;
    }
}
