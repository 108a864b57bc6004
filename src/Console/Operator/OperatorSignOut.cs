using Microsoft.AspNetCore.Antiforgery;
using Webhooks.Console.Security;

namespace Webhooks.Console.Operator;

public static class OperatorSignOut
{
    /// <summary><c>POST /sre/sign-out</c>: forgets the operator key at once.</summary>
    public static void MapOperatorSignOut(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/sre/sign-out", async (HttpContext http, OperatorSessions sessions, IAntiforgery antiforgery) =>
        {
            if (await antiforgery.StaleFormAsync(http) is { } stale)
            {
                return stale;
            }
            await sessions.SignOutAsync(http);
            return Results.Redirect("/sre/sign-in");
        })
        // As the operator: the form's anti-forgery token was made for that identity, not the portal's (the default scheme).
        .RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute { AuthenticationSchemes = OperatorSessions.Scheme });
}
