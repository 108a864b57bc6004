using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.EventTypes;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Endpoints;

/// <summary>
/// <c>POST /v1/endpoints/{id}/filter/test</c>: would this event be a delivery of the endpoint? Against a stored event
/// (<c>eventId</c>) or one given (<c>type</c> and <c>data</c>), with the endpoint's filter or one to try before saving it
/// (<c>filter</c>); answers whether it matches and, when not, what decided: its type, or the clause of the filter.
/// </summary>
public static class FilterTestApi
{
    private const int MaxRequestBytes = 256 * 1024;

    public static RouteGroupBuilder MapFilterTest(this RouteGroupBuilder endpoints)
    {
        endpoints.MapPost("/{id}/filter/test", Test);
        return endpoints;
    }

    private static async Task<IResult> Test(string id, HttpRequest request, ClaimsPrincipal user, EndpointRegistry registry, EventStore events, Core.Deliveries.DeliveryStore deliveries, Core.EventTypes.EventTypeCatalog catalog, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<FilterTestRequest>(request, MaxRequestBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (await registry.GetAsync(id) is not { } endpoint || !Caller.Of(user).Sees(endpoint.Tenant))
        {
            return TypedResults.Problem($"No endpoint '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        var input = body.Value!;
        var errors = new Dictionary<string, string[]>();
        if ((input.EventId is null) == (input.Type is null))
        {
            errors["eventId"] = ["Give either eventId (a stored event of the endpoint's tenant) or type and data (an event to try)."];
        }
        else if (input.Type is not null && EventRules.CheckType(input.Type) is { } typeError)
        {
            errors["type"] = [typeError];
        }
        else if (await StrictCatalog.UnknownAsync(catalog, input.Type is null ? null : [input.Type]) is { Length: > 0 } unknown)
        {
            errors["type"] = unknown;
        }
        var filterErrors = new List<string>();
        var filter = input.Filter is { } given ? PayloadFilter.Compile(given, out filterErrors) : PayloadFilter.CompileSaved(endpoint.Filter);
        if (filterErrors.Count > 0)
        {
            errors["filter"] = [.. filterErrors];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The filter test is not valid");
        }

        var (type, data) = (input.Type!, input.Data);
        if (input.EventId is { } eventId)
        {
            // Another tenant's event is as unknown here as one that does not exist.
            // A portal session limited to some endpoints tries stored events its endpoint was sent, never another's
            // (a filter answered match or not would read their data a question at a time).
            if (!WellFormedIds.IsWellFormed(eventId) || await events.GetAsync(eventId) is not { } stored || stored.Tenant != endpoint.Tenant
                || (Caller.Of(user).Endpoints is not null && await deliveries.GetAsync(eventId, endpoint.Id) is null))
            {
                return TypedResults.Problem($"No event '{eventId}' of tenant '{endpoint.Tenant}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
            }
            (type, data) = (stored.Type, stored.Data);
        }
        var subscription = new EndpointSubscription(endpoint.Id, endpoint.EventTypes, endpoint.Enabled, filter);
        if (!subscription.Subscribes(type))
        {
            return TypedResults.Ok(new FilterTestResult(false, $"The type '{type}' is not among the endpoint's event types ({string.Join(", ", endpoint.EventTypes)}).", null));
        }
        return filter?.Explain(data) is { } clause
            ? TypedResults.Ok(new FilterTestResult(false, "A condition of the filter does not hold.", clause))
            : TypedResults.Ok(new FilterTestResult(true, filter is null ? "The type matches, and the endpoint has no filter." : "The type and the filter match.", null));
    }
}

/// <summary>The body of <c>POST /v1/endpoints/{id}/filter/test</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FilterTestRequest(string? EventId, string? Type, JsonElement? Data, JsonElement? Filter);

/// <summary>Whether the event would be a delivery of the endpoint; when not, why, and the filter's clause that decided (as the filter wrote it).</summary>
public sealed record FilterTestResult(bool Matches, string Reason, string? Clause);
