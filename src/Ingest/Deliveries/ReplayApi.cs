using System.Security.Claims;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.DeadLetters;
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

    private static async Task<IResult> Replay(string id, ClaimsPrincipal user, EndpointRegistry registry, EventStore store, DeadLetterIndex deadLetters, DeliveryRequeue requeue, AuditLog audit,
        DateTimeOffset? since, DateTimeOffset? until, string? after, CancellationToken cancellationToken)
    {
        var (position, cursorProblem) = Paging.ReadPosition(after);
        if (since is null || since >= until)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["since"] = [since is null ? "since is required: the start of the window to replay." : "since must be before until."] });
        }
        if (cursorProblem is not null)
        {
            return cursorProblem;
        }
        if (await registry.GetAsync(id) is not { } endpoint || !Caller.Of(user).Sees(endpoint.Tenant))
        {
            return TypedResults.Problem($"No endpoint '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        if (!endpoint.Enabled)
        {
            return TypedResults.Problem($"Endpoint '{id}' is disabled: enable it first, or what is replayed is dead-lettered again at once.", statusCode: StatusCodes.Status409Conflict, title: "Endpoint disabled");
        }

        // Missed while it was switched off: taken from the dead letters, so a later redrive cannot send them again.
        var redriven = position is null
            ? await DeadLettersApi.RedriveAsync(deadLetters, requeue,
                (await deadLetters.ListAsync(new DeadLetterFilter(EndpointId: id, Reason: DeadLetterReasons.EndpointDisabled, Since: since, Until: until), null, 5000)).Found, cancellationToken)
            : 0;
        var (missing, next) = await store.NeverDeliveredAsync(endpoint.Tenant, id, endpoint.Subscribes, since.Value, until, position);
        var sent = 0;
        var lane = await requeue.LaneAsync(endpoint.Tenant, Math.Max(1, missing.Count), cancellationToken);
        foreach (var eventId in missing.AsEnumerable().Reverse())
        {
            // Claimed first, like a fan-out: of two replays (or a replay and a fan-out) racing, one sends it.
            var deliveryId = SortableId.New("dlv");
            if ((await store.AddPendingDeliveriesAsync(eventId, [(id, deliveryId)]))[0] == deliveryId && await store.GetAsync(eventId) is { } stored)
            {
                await requeue.SendAsync(lane, DeliveryRequeue.Of(stored, id, deliveryId), 0, cancellationToken);
                sent++;
            }
        }
        await audit.RecordAsync(user, "deliveries.replayed", endpoint.Tenant, id, new { since, until, replayed = sent, redriven });
        return TypedResults.Ok(new ReplayResult(sent, redriven, Paging.Cursor(next)));
    }
}

/// <summary>What a replay did: events never delivered there, sent; dead letters of the endpoint's time switched off, redriven; where to go on (null: done).</summary>
public sealed record ReplayResult(int Replayed, int Redriven, string? NextAfter);
