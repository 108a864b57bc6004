using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Webhooks.Ingest.Auth;

namespace Webhooks.Ingest.Portal;

/// <summary>
/// What a portal session may call: its tenant's endpoints, their attempts and the event types, and nothing else
/// (no keys, jobs, quotas, dead letters, audit or publishing); no change when it is read-only; and, when it is
/// limited to some endpoints, only those (no events list, which spans them all). A closed list: a route added
/// later is refused to portal sessions until it is named here.
/// </summary>
public static class PortalScope
{
    public const string Role = "portal";
    public const string ReadOnlyClaim = "webhooks:portal-read-only";
    public const string EndpointClaim = "webhooks:portal-endpoint";
    public const string LimitedClaim = "webhooks:portal-limited";

    /// <summary>Where <see cref="Refusal"/> leaves why it refused, for the 403's detail.</summary>
    public const string RefusalItem = "webhooks:portal-refusal";

    /// <summary>A route; <paramref name="Changes"/>: refused to a read-only session (a change, or a secret).</summary>
    private sealed record Route(string Method, string Pattern, bool Changes, string? EndpointValue, bool WhenLimited = true);

    private static readonly Route[] Routes =
    [
        new("GET", "/v1/endpoints", false, null),
        new("POST", "/v1/endpoints", true, null, WhenLimited: false),
        new("GET", "/v1/endpoints/{id}", false, "id"),
        new("PATCH", "/v1/endpoints/{id}", true, "id"),
        new("DELETE", "/v1/endpoints/{id}", true, "id"),
        new("POST", "/v1/endpoints/{id}/enable", true, "id"),
        new("POST", "/v1/endpoints/{id}/disable", true, "id"),
        // The signing secret forges webhooks its receiver trusts: not for a read-only session.
        new("GET", "/v1/endpoints/{id}/secret", true, "id"),
        new("POST", "/v1/endpoints/{id}/secret/rotate", true, "id"),
        new("GET", "/v1/endpoints/{id}/attempts", false, "id"),
        new("GET", "/v1/endpoints/{id}/stats", false, "id"),
        new("POST", "/v1/endpoints/{id}/filter/test", false, "id"),
        new("POST", "/v1/endpoints/{id}/test", true, "id"),
        new("POST", "/v1/endpoints/{id}/recover", true, "id"),
        // Replay sends the tenant's events the endpoint never had (by its types now): not for a session limited to some endpoints.
        new("POST", "/v1/endpoints/{id}/replay", true, "id", WhenLimited: false),
        new("POST", "/v1/events/{id}/endpoints/{endpointId}/resend", true, "endpointId"),
        new("GET", "/v1/events", false, null, WhenLimited: false),
        new("GET", "/v1/events/{id}", false, null, WhenLimited: false),
        new("GET", "/v1/event-types", false, null),
        new("GET", "/v1/event-types/{name}", false, null),
        new("DELETE", "/v1/portal-sessions/current", false, null),
    ];

    /// <summary>Every route a portal session may call, as method and pattern (a test checks each is a route of Ingest's).</summary>
    public static IEnumerable<(string Method, string Pattern)> Named => Routes.Select(r => (r.Method, r.Pattern));

    /// <summary>Whether the caller is an admin, or a portal session that may make this request (for the admin and publisher policies).</summary>
    public static bool AdmitsPortal(AuthorizationHandlerContext context)
    {
        if (context.User.FindFirstValue(ApiKeyAuthentication.RoleClaim) != Role || context.Resource is not HttpContext http)
        {
            return false;
        }
        var refusal = Refusal(http, context.User);
        if (refusal is not null)
        {
            http.Items[RefusalItem] = refusal;
        }
        return refusal is null;
    }

    /// <summary>Why a portal session may not make this request, or null when it may.</summary>
    public static string? Refusal(HttpContext http, ClaimsPrincipal user)
    {
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText?.TrimEnd('/');
        var route = Array.Find(Routes, r => r.Pattern == pattern && HttpMethods.Equals(r.Method, http.Request.Method));
        if (route is null)
        {
            return "A portal session cannot make this request.";
        }
        if (route.Changes && user.HasClaim(ReadOnlyClaim, "true"))
        {
            return "This portal session is read-only (it cannot change anything or reveal a signing secret).";
        }
        if (!user.HasClaim(LimitedClaim, "true"))
        {
            return null;
        }
        if (!route.WhenLimited)
        {
            return "This portal session is limited to some endpoints and cannot make this request.";
        }
        return route.EndpointValue is { } name && (http.GetRouteValue(name) as string is not { } id || !user.HasClaim(EndpointClaim, id))
            ? "This portal session cannot see this endpoint."
            : null;
    }

    /// <summary>The claims of a portal session, besides its tenant and id.</summary>
    public static IEnumerable<Claim> ClaimsOf(PortalSession session)
    {
        yield return new Claim(ReadOnlyClaim, session.ReadOnly ? "true" : "false");
        if (session.Endpoints is { } endpoints)
        {
            yield return new Claim(LimitedClaim, "true");
            foreach (var id in endpoints)
            {
                yield return new Claim(EndpointClaim, id);
            }
        }
    }
}
