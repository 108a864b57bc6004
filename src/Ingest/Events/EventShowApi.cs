using System.Security.Claims;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;
using Webhooks.ServiceDefaults;

namespace Webhooks.Ingest.Events;

/// <summary>
/// <c>GET /v1/events/{id}</c>: an event and a page of its deliveries, each with where it stands (retrying and when,
/// dead-lettered and as which dead letter) and its latest attempts.
/// </summary>
public static class EventShowApi
{
    public static IEndpointRouteBuilder MapEventShowApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/events/{id}", Show).WithTags("Events").RequireAuthorization(AuthRegistration.Publisher).RequireWellFormedIds();
        return routes;
    }

    /// <summary>Attempts shown per delivery in an event: the latest; the endpoint's attempt log has the rest.</summary>
    private const int AttemptsShown = 10;

    private static async Task<IResult> Show(string id, HttpRequest request, ClaimsPrincipal user, EventStore store, DeliveryStore deliveryStore, AttemptLogs attemptLogs, EndpointRegistry registry, string? after, int? limit, bool? explain)
    {
        if (Paging.Problem(request, limit) is { } problem)
        {
            return problem;
        }
        var stored = await store.GetAsync(id);
        if (stored is null || !Caller.Of(user).Sees(stored.Tenant))
        {
            return TypedResults.Problem($"No event '{id}' (events are kept for the retention period).", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        var page = limit ?? Paging.DefaultLimit;
        var deliveries = await deliveryStore.PageAsync(id, after, page);
        var endpoints = await registry.DescribeAsync([.. deliveries.Select(d => d.EndpointId)]);
        var views = new List<DeliveryView>(deliveries.Count);
        foreach (var delivery in deliveries)
        {
            var attempts = await attemptLogs.OfDeliveryAsync(id, delivery.Id, AttemptsShown);
            // The URL without its path: it may carry a credential, and events are read with publisher keys too.
            var endpoint = endpoints.TryGetValue(delivery.EndpointId, out var e) ? new DeliveryEndpointView(RedactedUrl.Of(e.Url), e.Description) : null;
            var latest = attempts.Count > 0 ? attempts[^1] : null;
            views.Add(new DeliveryView(delivery.Id, delivery.EndpointId, endpoint, delivery.Status, delivery.DeadLetterReason, delivery.UpdatedAt, delivery.Attempts, [.. attempts.Select(AttemptView.Of)],
                NextAttemptAt: delivery.Status == DeliveryStatus.Failed ? latest?.NextAttemptAt : null, FinalAttempt: latest?.FinalNumber,
                DeadLetterId: delivery.DeadLetterId, Purged: delivery.Purged));
        }
        return TypedResults.Ok(new EventView(stored.Id, stored.Type, stored.Tenant, stored.OccurredAt, stored.ReceivedAt, stored.Data, stored.Resource, views,
            deliveries.Count == page ? deliveries[^1].EndpointId : null, stored.Test,
            explain == true ? await UnmatchedAsync(stored, registry, deliveryStore) : null, stored.SchemaViolations));
    }

    /// <summary>The tenant's endpoints the event is no delivery of (none recorded), each with the reason: its types, or its filter's clause.</summary>
    private static async Task<List<UnmatchedEndpointView>> UnmatchedAsync(StoredEvent stored, EndpointRegistry registry, DeliveryStore deliveries)
    {
        var candidates = new List<UnmatchedEndpointView>();
        foreach (var endpoint in await registry.SubscriptionsAsync(stored.Tenant))
        {
            var view = !endpoint.Subscribes(stored.Type)
                ? new UnmatchedEndpointView(endpoint.Id, $"Its event types ({string.Join(", ", endpoint.EventTypes)}) do not include '{stored.Type}'.", null)
                : endpoint.Filter?.Explain(stored.Data) is { } clause ? new UnmatchedEndpointView(endpoint.Id, "A condition of its payload filter does not hold.", clause)
                : null;
            if (view is not null)
            {
                candidates.Add(view);
            }
        }
        // One that has a delivery of it took it (its filter or types changed since).
        var delivered = await deliveries.WithDeliveryAsync(stored.Id, [.. candidates.Select(c => c.EndpointId)]);
        return [.. candidates.Where(c => !delivered.Contains(c.EndpointId))];
    }
}
