using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Deliveries;

/// <summary>
/// <c>POST /v1/events/{id}/endpoints/{endpointId}/resend</c>: one more attempt (and a fresh retry
/// schedule) of an event to one endpoint of its tenant, whatever the delivery's state: same
/// <c>webhook-id</c>, so a receiver that already has it can tell; its attempts go on counting.
/// </summary>
public static class ResendApi
{
    public static IEndpointRouteBuilder MapResendApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/events/{id}/endpoints/{endpointId}/resend", Resend).WithTags("Events").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        return routes;
    }

    private static async Task<Results<Accepted<ResendAccepted>, ProblemHttpResult>> Resend(string id, string endpointId, ClaimsPrincipal user, EventStore store, DeliveryStore deliveries, EndpointRegistry registry,
        DeliveryRequeue requeue, DeadLetterIndex deadLetters, AuditLog audit, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(user);
        if (await store.GetAsync(id) is not { } stored || !caller.Sees(stored.Tenant))
        {
            return Problem(StatusCodes.Status404NotFound, "Not found", $"No event '{id}' (events are kept for the retention period).");
        }
        if (await registry.GetAsync(endpointId) is not { } endpoint || !caller.Sees(endpoint.Tenant))
        {
            return Problem(StatusCodes.Status404NotFound, "Not found", $"No endpoint '{endpointId}': it does not exist, or was deleted. A deleted endpoint cannot be sent to.");
        }
        if (endpoint.Tenant != stored.Tenant)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "Another tenant's endpoint", $"Event '{id}' is of tenant '{stored.Tenant}'; endpoint '{endpointId}' is of '{endpoint.Tenant}'.");
        }
        if (!endpoint.Enabled)
        {
            return Problem(StatusCodes.Status409Conflict, "Endpoint disabled", $"Endpoint '{endpointId}' is disabled: enable it (POST /v1/endpoints/{endpointId}/enable), then resend.");
        }
        var existing = await deliveries.GetAsync(id, endpointId);
        if (existing is null && caller.Endpoints is not null)
        {
            // A portal session limited to some endpoints resends what they were sent, never another endpoint's event.
            return Problem(StatusCodes.Status404NotFound, "Not found", $"Event '{id}' was never sent to endpoint '{endpointId}'.");
        }
        var delivery = DeliverWebhook.Of(stored, endpointId, existing?.Id ?? SortableId.New("dlv"));
        // One live chain: this one replaces whatever retry still waits, and the delivery's dead letter goes (a new one comes if it fails again).
        await requeue.SendAsync(await requeue.LaneAsync(stored.Tenant, 1, cancellationToken), delivery, existing?.Attempts ?? 0, cancellationToken);
        if (existing?.DeadLetterId is { } deadLetterId && await deadLetters.GetAsync(deadLetterId) is { } deadLetter)
        {
            await deadLetters.RemoveAsync(deadLetter);
        }
        await audit.RecordAsync(user, "delivery.resent", stored.Tenant, endpointId, new { eventId = id, delivery.DeliveryId });
        return TypedResults.Accepted($"/v1/events/{id}", new ResendAccepted(delivery.DeliveryId, (existing?.Attempts ?? 0) + 1));
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);
}

/// <summary>The resent delivery, and the number its next attempt will have.</summary>
public sealed record ResendAccepted(string DeliveryId, int Attempt);
