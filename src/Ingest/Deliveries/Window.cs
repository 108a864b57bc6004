using System.Security.Claims;
using Webhooks.Core.Endpoints;
using Webhooks.Ingest.Auth;

namespace Webhooks.Ingest.Deliveries;

/// <summary>What recover and replay (and their jobs) check first: a time window the right way round, and an endpoint the caller sees that is switched on.</summary>
internal static class Window
{
    public static IResult? Problem(DateTimeOffset? since, DateTimeOffset? until, string what) =>
        since is null || since >= until
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["since"] = [since is null ? $"since is required: the start of the window to {what}." : "since must be before until."] })
            : null;

    /// <summary>The window first, then the endpoint: the endpoint to act on, or why not.</summary>
    public static async Task<(WebhookEndpoint? Endpoint, IResult? Problem)> CheckAsync(string? id, DateTimeOffset? since, DateTimeOffset? until, string what, ClaimsPrincipal user, EndpointRegistry registry) =>
        Problem(since, until, what) is { } problem ? (null, problem) : await EndpointAsync(id, user, registry);

    public static async Task<(WebhookEndpoint? Endpoint, IResult? Problem)> EndpointAsync(string? id, ClaimsPrincipal user, EndpointRegistry registry)
    {
        if (id is null || await registry.GetAsync(id) is not { } endpoint || !Caller.Of(user).Sees(endpoint.Tenant))
        {
            return (null, TypedResults.Problem($"No endpoint '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found"));
        }
        return endpoint.Enabled
            ? (endpoint, null)
            : (null, TypedResults.Problem($"Endpoint '{id}' is disabled: enable it first, or what is sent to it is dead-lettered again at once.", statusCode: StatusCodes.Status409Conflict, title: "Endpoint disabled"));
    }
}
