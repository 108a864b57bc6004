using Microsoft.AspNetCore.Antiforgery;
using Webhooks.Console.Security;
using Microsoft.AspNetCore.Authentication;
using Webhooks.Console.Ingest;

namespace Webhooks.Console.Portal;

/// <summary>
/// Opening a portal link (<c>/portal/open?token=…</c>): Ingest trades the one-time token for a session key, kept
/// in the session cookie, and the browser is sent on to <c>/portal</c>, so that the token leaves its address bar
/// and history. Signing out ends the session at Ingest too.
/// </summary>
public static class PortalSignIn
{
    public static void MapPortalSignIn(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/portal/open", async (string? token, HttpContext http, IngestClient ingest) =>
        {
            if (token is not { Length: > 0 and < 200 })
            {
                return Results.Redirect("/portal/link-invalid");
            }
            var answer = await ingest.PostAsync(null, "/v1/portal-sessions/redeem", new { token }, http.RequestAborted);
            if (!answer.Ok)
            {
                return Results.Redirect(answer.Status == 401 ? "/portal/link-invalid" : "/portal/unavailable");
            }
            await PortalUser.FromRedeemed(answer.Body).SignInAsync(http);
            return Results.Redirect("/portal");
        });
        routes.MapPost("/portal/sign-out", async (HttpContext http, IngestClient ingest, IAntiforgery antiforgery) =>
        {
            if (await antiforgery.StaleFormAsync(http) is { } stale)
            {
                return stale;
            }
            var result = await http.AuthenticateAsync(PortalUser.Scheme);
            if (result.Principal is { } principal && PortalUser.Of(principal) is { } user)
            {
                await ingest.SendAsync(HttpMethod.Delete, user.Key, "/v1/portal-sessions/current", null, http.RequestAborted);
            }
            await http.SignOutAsync(PortalUser.Scheme);
            return Results.Redirect("/portal/signed-out");
        });
    }
}
