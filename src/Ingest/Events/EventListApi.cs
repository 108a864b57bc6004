using System.Security.Claims;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Events;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Events;

/// <summary>
/// <c>GET /v1/events</c>: a tenant's events, newest first, by type (a name or a wildcard as endpoints take them:
/// <c>order.*</c>, or <c>*</c> for all but the platform's <c>webhooks.*</c>), status and time.
/// </summary>
public static class EventListApi
{
    public static IEndpointRouteBuilder MapEventListApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/events", List).WithTags("Events").RequireAuthorization(AuthRegistration.Publisher);
        return routes;
    }

    private static async Task<IResult> List(HttpRequest request, ClaimsPrincipal user, TenantEvents events, string? tenant, string? type, string? status,
        DateTimeOffset? since, DateTimeOffset? until, string? after, int? limit)
    {
        var (forTenant, forbidden) = Caller.Of(user).ActFor(tenant);
        if (forbidden is not null)
        {
            return forbidden;
        }
        var errors = new Dictionary<string, string[]>();
        if (forTenant is null)
        {
            errors["tenant"] = ["Name the tenant whose events to list."];
        }
        else if (EventRules.CheckTenant(forTenant) is { } tenantError)
        {
            errors["tenant"] = [tenantError];
        }
        if (type is not null && !Core.Endpoints.EventTypeFilter.IsValidPattern(type))
        {
            errors["type"] = [$"'{type}' is not an event type or wildcard (such as 'order.created', 'order.*', or '*' for every type but the platform's own)."];
        }
        if (status is not null && !EventStatus.All.Contains(status))
        {
            errors["status"] = [$"status is one of {string.Join(", ", EventStatus.All.Order())}."];
        }
        if (since >= until)
        {
            errors["since"] = ["since must be before until."];
        }
        var (position, cursorProblem) = Paging.ReadPosition(after);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is not valid");
        }
        if ((Paging.Problem(request, limit) ?? cursorProblem) is { } problem)
        {
            return problem;
        }
        var page = await events.ListAsync(new EventQuery(forTenant!, type, status, since, until), position, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new EventList(page.Found, Paging.Cursor(page.Next)));
    }
}

/// <summary>A page of events (without their data); <c>nextAfter</c> (null at the end) goes in <c>after</c> for the next one.</summary>
public sealed record EventList(IReadOnlyList<EventSummary> Data, string? NextAfter);
