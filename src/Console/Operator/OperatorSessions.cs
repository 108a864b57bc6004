using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

using Webhooks.Console.Security;

namespace Webhooks.Console.Operator;

/// <summary>
/// The SRE's sign-in: the operator key given at sign-in stays in this process's memory; the browser's cookie
/// holds only a random session id (HttpOnly, SameSite=Strict), so the key is never in the browser's storage.
/// A session lasts <see cref="Lifetime"/>; signing out, or a restart of the console, ends it.
/// </summary>
public sealed class OperatorSessions(TimeProvider clock)
{
    public const string Scheme = "operator";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private const string SessionClaim = "operator:session";

    private readonly ConcurrentDictionary<string, (string Key, DateTimeOffset ExpiresAt)> _sessions = new();

    /// <summary>The operator key of the signed-in SRE, or null.</summary>
    public string? KeyOf(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(SessionClaim) is not { } id || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }
        if (session.ExpiresAt > clock.GetUtcNow())
        {
            return session.Key;
        }
        _sessions.TryRemove(id, out _);
        return null;
    }

    public async Task SignInAsync(HttpContext http, string key)
    {
        var now = clock.GetUtcNow();
        // Expired sessions go whenever someone signs in: the table stays as small as the SREs signed in.
        foreach (var (old, session) in _sessions)
        {
            if (session.ExpiresAt <= now)
            {
                _sessions.TryRemove(old, out _);
            }
        }
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _sessions[id] = (key, now + Lifetime);
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(SessionClaim, id)], Scheme));
        await http.SignInAsync(Scheme, principal, new AuthenticationProperties { ExpiresUtc = now + Lifetime, AllowRefresh = false });
    }

    public async Task SignOutAsync(HttpContext http)
    {
        if ((await http.AuthenticateAsync(Scheme)).Principal?.FindFirstValue(SessionClaim) is { } id)
        {
            _sessions.TryRemove(id, out _);
        }
        await http.SignOutAsync(Scheme);
    }

    public static void AddScheme(AuthenticationBuilder authentication, CookieSecurePolicy secure) =>
        authentication.AddSessionCookie(Scheme, "webhooks_operator", "/sre", SameSiteMode.Strict, secure, "/sre/sign-in", Lifetime);
}
