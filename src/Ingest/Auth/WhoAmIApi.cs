using System.Security.Claims;
using Webhooks.Ingest.Audit;

namespace Webhooks.Ingest.Auth;

/// <summary><c>GET /v1/whoami</c>: the calling key's id, role and tenant (null: an operator), as the console checks a key it is given.</summary>
public static class WhoAmIApi
{
    public static IEndpointRouteBuilder MapWhoAmIApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/whoami", (ClaimsPrincipal user) =>
        {
            var caller = Caller.Of(user);
            return TypedResults.Ok(new WhoAmI(AuditLog.ActorOf(user), caller.Role, caller.Tenant));
        }).WithTags("API keys").RequireAuthorization(AuthRegistration.Publisher);
        return routes;
    }
}

/// <summary>Who a key is: its id (the audit log's actor), its role, and the tenant it is bound to.</summary>
public sealed record WhoAmI(string Key, string Role, string? Tenant);
