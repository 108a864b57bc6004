using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

namespace Webhooks.Console.Security;

/// <summary>What the portal's and the SRE console's sign-ins share: a session cookie scheme on one path, and the refusal of a stale form.</summary>
public static class ConsoleCookies
{
    /// <summary>
    /// A cookie scheme on <paramref name="path"/> alone: HttpOnly, never sliding, no return URL; a visitor without
    /// a session (or refused) goes to <paramref name="signInPage"/>.
    /// </summary>
    public static void AddSessionCookie(this AuthenticationBuilder authentication, string scheme, string name, string path, SameSiteMode sameSite,
        CookieSecurePolicy secure, string signInPage, TimeSpan lifetime) =>
        authentication.AddCookie(scheme, cookie =>
        {
            cookie.Cookie.Name = name;
            cookie.Cookie.Path = path;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = sameSite;
            cookie.Cookie.SecurePolicy = secure;
            cookie.LoginPath = signInPage;
            cookie.AccessDeniedPath = signInPage;
            cookie.ReturnUrlParameter = "";
            cookie.SlidingExpiration = false;
            cookie.ExpireTimeSpan = lifetime;
        });

    /// <summary>The 400 for a form posted without this console's anti-forgery token (stale, or from another site); null when it has one.</summary>
    public static async Task<IResult?> StaleFormAsync(this IAntiforgery antiforgery, HttpContext http) =>
        await antiforgery.IsRequestValidAsync(http)
            ? null
            : Results.Problem("The form is stale or did not come from this console: reload the page and try again.", statusCode: 400, title: "Form not accepted");
}
