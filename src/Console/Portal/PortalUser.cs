using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using System.Text.Json;

using Webhooks.Console.Security;

namespace Webhooks.Console.Portal;

/// <summary>
/// Who a portal page is for: a session opened from a link, for one tenant. Its session key is kept in the
/// encrypted, HttpOnly session cookie, which only this server can read; the page never holds it.
/// </summary>
public sealed record PortalUser(string SessionId, string Tenant, string Key, bool ReadOnly, IReadOnlyList<string>? Endpoints, DateTimeOffset ExpiresAt)
{
    public const string Scheme = "portal";
    private const string SessionClaim = "portal:session";
    private const string TenantClaim = "portal:tenant";
    private const string KeyClaim = "portal:key";
    private const string ReadOnlyClaim = "portal:read-only";
    private const string EndpointClaim = "portal:endpoint";
    private const string ExpiresClaim = "portal:expires";

    /// <summary>Limited to some endpoints: it may not add endpoints or list every event.</summary>
    public bool Limited => Endpoints is not null;

    public static PortalUser? Of(ClaimsPrincipal user) =>
        user.FindFirstValue(KeyClaim) is { } key && user.FindFirstValue(TenantClaim) is { } tenant
            ? new PortalUser(user.FindFirstValue(SessionClaim) ?? "", tenant, key, user.HasClaim(ReadOnlyClaim, "true"),
                user.HasClaim(c => c.Type == EndpointClaim) ? [.. user.FindAll(EndpointClaim).Select(c => c.Value)] : null,
                DateTimeOffset.TryParse(user.FindFirstValue(ExpiresClaim), out var expires) ? expires : DateTimeOffset.MinValue)
            : null;

    /// <summary>The session Ingest opened from a link (its <c>POST /v1/portal-sessions/redeem</c> answer).</summary>
    public static PortalUser FromRedeemed(JsonElement session) =>
        new(session.GetProperty("id").GetString()!, session.GetProperty("tenant").GetString()!, session.GetProperty("sessionKey").GetString()!,
            session.GetProperty("readOnly").GetBoolean(),
            session.TryGetProperty("endpoints", out var e) && e.ValueKind == JsonValueKind.Array ? [.. e.EnumerateArray().Select(x => x.GetString()!)] : null,
            session.GetProperty("expiresAt").GetDateTimeOffset());

    public ClaimsPrincipal ToPrincipal()
    {
        List<Claim> claims = [new(SessionClaim, SessionId), new(TenantClaim, Tenant), new(KeyClaim, Key), new(ReadOnlyClaim, ReadOnly ? "true" : "false"), new(ExpiresClaim, ExpiresAt.ToString("O"))];
        claims.AddRange((Endpoints ?? []).Select(id => new Claim(EndpointClaim, id)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme));
    }

    public Task SignInAsync(HttpContext http) =>
        http.SignInAsync(Scheme, ToPrincipal(), new AuthenticationProperties { ExpiresUtc = ExpiresAt, AllowRefresh = false, IsPersistent = false });

    public static void AddScheme(AuthenticationBuilder authentication, ConsoleOptions options, CookieSecurePolicy secure) =>
        // The session's own expiry (the link's) is set at sign-in; a day is the cookie's ceiling.
        authentication.AddSessionCookie(Scheme, "webhooks_portal", "/portal", options.CookieSameSite, secure, "/portal/signed-out", TimeSpan.FromDays(1));
}
