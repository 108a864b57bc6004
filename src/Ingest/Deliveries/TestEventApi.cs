using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Events;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Deliveries;

/// <summary>
/// <c>POST /v1/endpoints/{id}/test</c>: a signed example event of a chosen type, sent to this endpoint
/// only, through the same pipeline as any delivery but attempted once (never retried nor dead-lettered, and
/// not listed among the tenant's events); the answer is the endpoint's, when it comes within the endpoint's
/// timeout (else <c>202</c> with where to look).
/// </summary>
public static class TestEventApi
{
    public const string DefaultType = "webhooks.test";

    public static IEndpointRouteBuilder MapTestEventApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/endpoints/{id}/test", Test).WithTags("Endpoints").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        return routes;
    }

    private static async Task<IResult> Test(string id, HttpRequest request, ClaimsPrincipal user, EndpointRegistry registry, EventStore store, FanOutClaims fanOuts, AttemptLogs attempts, DeliveryRequeue requeue,
        Core.EventTypes.EventTypeCatalog catalog, CancellationToken cancellationToken)
    {
        var empty = request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0);
        var body = empty ? new JsonBody<TestEventRequest>(new TestEventRequest(null, null), [], null) : await JsonBody.ReadAsync<TestEventRequest>(request, 64 * 1024, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var type = body.Value!.Type ?? DefaultType;
        var errors = new Dictionary<string, string[]>();
        if (type != DefaultType && (EventRules.CheckType(type) ?? EventRules.CheckPublishable(type)) is { } typeError)
        {
            // webhooks.test is the one reserved type a test may take: no test speaks for the platform.
            errors["type"] = [typeError];
        }
        if (body.Value.Data is { } given && (given.ValueKind is JsonValueKind.Null ? null : given.ValueKind != JsonValueKind.Object ? "The data must be a JSON object." : EventRules.CheckData(given)) is { } dataError)
        {
            errors["data"] = [dataError];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The test event is not valid");
        }
        if (await registry.GetAsync(id) is not { } endpoint || !Caller.Of(user).Sees(endpoint.Tenant))
        {
            return TypedResults.Problem($"No endpoint '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        if (!endpoint.Enabled)
        {
            return TypedResults.Problem($"Endpoint '{id}' is disabled: enable it first.", statusCode: StatusCodes.Status409Conflict, title: "Endpoint disabled");
        }
        // The data given; else the type's first example in the catalog; else a placeholder. Checked as any event of its type is.
        var schemas = await catalog.CurrentAsync();
        var testData = body.Value.Data is { ValueKind: JsonValueKind.Object } data ? data.Clone()
            : schemas.Find(type)?.Definition.Examples is [var example, ..] ? example.Clone()
            : JsonSerializer.SerializeToElement(new { test = true, endpointId = id });
        var (marks, nonConforming) = SchemaCheck.Of(schemas, type, testData);
        if (nonConforming is not null)
        {
            return SchemaCheck.Refusal(request.HttpContext, $"'{type}' enforces its schema: give data that conforms, or an example in the catalog for tests to send.", nonConforming.Select(v => ("", v)));
        }
        var now = DateTimeOffset.UtcNow;
        var stored = new StoredEvent
        {
            Id = SortableId.New("evt"),
            Type = type,
            Tenant = endpoint.Tenant,
            OccurredAt = now,
            ReceivedAt = now,
            SchemaViolations = marks,
            Data = testData,
            Test = true,
        };
        // Kept to be looked up by its id, but not listed among the tenant's events, never replayed, and attempted once.
        await store.SaveAsync(stored);
        // Sent to this endpoint alone: no fan-out to the tenant's others.
        await fanOuts.MarkDoneAsync(stored.Id);
        var delivery = DeliverWebhook.Of(stored, id, SortableId.New("dlv"));
        await requeue.SendAsync(await requeue.LaneAsync(endpoint.Tenant, 1, cancellationToken), delivery, 0, cancellationToken);

        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(endpoint.TimeoutSeconds + 5);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if ((await attempts.OfDeliveryAsync(stored.Id, delivery.DeliveryId, 1)).FirstOrDefault() is { } attempt)
            {
                return TypedResults.Ok(new TestEventResult(stored.Id, delivery.DeliveryId, AttemptView.Of(attempt)));
            }
            await Task.Delay(100, cancellationToken);
        }
        return TypedResults.Accepted($"/v1/events/{stored.Id}", new TestEventResult(stored.Id, delivery.DeliveryId, null));
    }
}

/// <summary>The body of a test: the event's type (<c>webhooks.test</c> when left out) and data (an example when left out).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TestEventRequest(string? Type, JsonElement? Data);

/// <summary>The test event, its delivery, and the endpoint's answer (null when it has not come yet).</summary>
public sealed record TestEventResult(string EventId, string DeliveryId, AttemptView? Attempt);
