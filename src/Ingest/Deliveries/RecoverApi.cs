using System.Security.Claims;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Deliveries;

/// <summary>
/// <c>POST /v1/endpoints/{id}/recover?since=&amp;until=</c>: delivers again every delivery to the endpoint
/// that failed in the window — the dead-lettered ones (redriven) and the ones still waiting for a retry
/// (sent now; their scheduled retry is then dropped once one succeeds) — and no other.
/// </summary>
public static class RecoverApi
{
    /// <summary>Dead letters a recover redrives at most in one call; the answer says when there were more.</summary>
    private const int MaxDeadLetters = 5000;

    public static IEndpointRouteBuilder MapRecoverApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/endpoints/{id}/recover", Recover).WithTags("Endpoints").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        return routes;
    }

    private static async Task<IResult> Recover(string id, ClaimsPrincipal user, EndpointRegistry registry, DeadLetterIndex deadLetters, EventStore store, DeliveryRequeue requeue, AuditLog audit,
        DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        if (since is null || since >= until)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["since"] = [since is null ? "since is required: the start of the window to recover." : "since must be before until."] });
        }
        if (await registry.GetAsync(id) is not { } endpoint || !Caller.Of(user).Sees(endpoint.Tenant))
        {
            return TypedResults.Problem($"No endpoint '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        if (!endpoint.Enabled)
        {
            return TypedResults.Problem($"Endpoint '{id}' is disabled: enable it first, or its deliveries are dead-lettered again at once.", statusCode: StatusCodes.Status409Conflict, title: "Endpoint disabled");
        }

        var page = await deadLetters.ListAsync(new DeadLetterFilter(EndpointId: id, Since: since, Until: until), null, MaxDeadLetters);
        var redriven = await DeadLettersApi.RedriveAsync(deadLetters, requeue, page.Found, cancellationToken);

        // Deliveries still in their retry schedule: their latest attempt, in the window, failed.
        var resent = 0;
        var lane = await requeue.LaneAsync(endpoint.Tenant, 1, cancellationToken);
        foreach (var attempt in await FailingAsync(store, id, since.Value, until))
        {
            if (await store.GetDeliveryAsync(attempt.EventId, id) is not { Status: DeliveryStatus.Failed } record || record.Id != attempt.DeliveryId
                || await store.GetAsync(attempt.EventId) is not { } stored)
            {
                continue;
            }
            await requeue.SendAsync(lane, DeliveryRequeue.Of(stored, id, record.Id), record.Attempts, cancellationToken);
            resent++;
        }
        await audit.RecordAsync(user, "deliveries.recovered", endpoint.Tenant, id, new { since, until, redriven, resent });
        return TypedResults.Ok(new RecoverResult(redriven, resent, Complete: page.Next is null));
    }

    /// <summary>The latest attempt of each delivery in the endpoint's attempt log whose latest attempt failed within the window.</summary>
    private static async Task<IReadOnlyList<DeliveryAttempt>> FailingAsync(EventStore store, string endpointId, DateTimeOffset since, DateTimeOffset? until)
    {
        var latest = new Dictionary<string, DeliveryAttempt>();
        AttemptPosition? after = null;
        do
        {
            var (attempts, next) = await store.GetEndpointAttemptsAsync(endpointId, after, Paging.MaxLimit);
            foreach (var attempt in attempts)
            {
                latest.TryAdd(attempt.DeliveryId, attempt); // newest first
            }
            after = next is null || attempts[^1].At < since ? null : AttemptPosition.Of(next);
        }
        while (after is not null);
        return [.. latest.Values.Where(a => !a.Succeeded && a.At >= since && (until is null || a.At < until))];
    }
}

/// <summary>What a recover did: dead letters redriven, failing deliveries sent now; Complete is false when there were more dead letters than one call redrives (call it again).</summary>
public sealed record RecoverResult(int Redriven, int Resent, bool Complete);
