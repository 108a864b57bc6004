using System.Security.Claims;
using Microsoft.Extensions.Options;
using Webhooks.Core;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Portal;

/// <summary>
/// Portal links: an operator or a tenant's admin key makes a one-time link to one tenant's portal; the Console
/// opens it for a session key that it keeps server-side; the session ends when it expires or signs out.
/// </summary>
public static class PortalSessionsApi
{
    public const int MaxEndpoints = 100;

    public static IEndpointRouteBuilder MapPortalSessionsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/tenants/{tenant}/portal-sessions", Create).WithTags("Portal").RequireAuthorization(AuthRegistration.Admin);
        // The token is the credential: whoever holds the link may open it, once.
        routes.MapPost("/v1/portal-sessions/redeem", Redeem).WithTags("Portal").AllowAnonymous();
        routes.MapDelete("/v1/portal-sessions/current", End).WithTags("Portal").RequireAuthorization(AuthRegistration.Publisher);
        return routes;
    }

    private static async Task<IResult> Create(string tenant, HttpRequest request, ClaimsPrincipal user, PortalSessionStore sessions, EndpointRegistry registry,
        IOptions<PortalOptions> options, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(user);
        if (EventRules.CheckTenant(tenant) is { } tenantError)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tenant"] = [tenantError] }, title: "The portal session is not valid");
        }
        if (!caller.Sees(tenant))
        {
            return caller.WrongTenant(tenant);
        }
        // An empty body asks for the defaults.
        PortalSessionRequest input = new(null, null, null);
        if (request.ContentLength is not 0)
        {
            var body = await JsonBody.ReadAsync<PortalSessionRequest>(request, 16 * 1024, cancellationToken);
            if (body.Problem is not null)
            {
                return body.Problem;
            }
            input = body.Value!;
        }
        var portal = options.Value;
        var errors = new Dictionary<string, string[]>();
        var lifetime = input.ExpiresInSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : portal.DefaultLifetime;
        if (lifetime < TimeSpan.FromMinutes(1) || lifetime > portal.MaxLifetime)
        {
            errors["expiresInSeconds"] = [$"expiresInSeconds must be from 60 to {(int)portal.MaxLifetime.TotalSeconds}."];
        }
        if (input.Endpoints is { } endpoints)
        {
            if (endpoints.Count is 0 or > MaxEndpoints)
            {
                errors["endpoints"] = [$"endpoints, when given, names from 1 to {MaxEndpoints} endpoints."];
            }
            else
            {
                foreach (var id in endpoints.Distinct())
                {
                    // Another tenant's endpoint is named as unknown, as everywhere else.
                    if (!WellFormedIds.IsWellFormed(id) || await registry.GetAsync(id) is not { } endpoint || endpoint.Tenant != tenant)
                    {
                        errors["endpoints"] = [.. errors.GetValueOrDefault("endpoints") ?? [], $"Tenant '{tenant}' has no endpoint '{id}'."];
                    }
                }
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The portal session is not valid");
        }
        var now = clock.GetUtcNow();
        var session = new PortalSession
        {
            Id = SortableId.New("ps"),
            Tenant = tenant,
            ReadOnly = input.ReadOnly ?? false,
            Endpoints = input.Endpoints?.Distinct().ToList(),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
            CreatedBy = AuditLog.ActorOf(user),
        };
        var token = await sessions.CreateLinkAsync(session);
        var url = portal.ConsoleUrl is { } console ? new Uri(console, $"portal/open?token={token}").ToString() : null;
        await audit.RecordAsync(user, "portal.link_created", tenant, session.Id, new { session.ReadOnly, session.Endpoints, session.ExpiresAt });
        return TypedResults.Created((string?)null, new PortalLinkView(session.Id, tenant, token, url, session.ExpiresAt, session.ReadOnly, session.Endpoints));
    }

    private static async Task<IResult> Redeem(HttpRequest request, PortalSessionStore sessions, AuditLog audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<PortalRedeemRequest>(request, 4 * 1024, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (body.Value!.Token is not { Length: > 0 and < 200 } token || await sessions.RedeemAsync(token) is not var (session, key))
        {
            return TypedResults.Problem("This portal link is unknown, has expired or was already used: ask for a new one.", statusCode: StatusCodes.Status401Unauthorized, title: "Portal link not valid");
        }
        await audit.RecordAsync(session.Id, PortalScope.Role, "portal.opened", session.Tenant, session.Id);
        return TypedResults.Ok(new PortalSessionView(session.Id, session.Tenant, key, session.ExpiresAt, session.ReadOnly, session.Endpoints));
    }

    private static async Task<IResult> End(HttpRequest request, ClaimsPrincipal user, PortalSessionStore sessions)
    {
        if (Caller.Of(user).Role != PortalScope.Role)
        {
            return TypedResults.Problem("Only a portal session can end itself; revoke an API key with DELETE /v1/api-keys/{id}.", statusCode: StatusCodes.Status400BadRequest, title: "Not a portal session");
        }
        await sessions.EndAsync(request.Headers.Authorization.ToString()["Bearer ".Length..].Trim());
        return TypedResults.NoContent();
    }
}
