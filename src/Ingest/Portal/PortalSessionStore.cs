using System.Security.Cryptography;
using System.Text.Json;
using StackExchange.Redis;
using Webhooks.Core;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Auth;

namespace Webhooks.Ingest.Portal;

/// <summary>
/// Portal links and the sessions they open, in Redis by the hash of their secrets (as API keys are). A link's token
/// works once: opening it deletes it and makes a session key, which the Console keeps and the browser never sees.
/// </summary>
public sealed class PortalSessionStore(RedisStorage redis)
{
    public const string LinkPrefix = "wpt_";
    public const string SessionPrefix = "wps_";
    private readonly IDatabase _db = redis.Database;

    private static string NewSecret(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A new link for <paramref name="session"/>, and its token, which is not kept.</summary>
    public async Task<string> CreateLinkAsync(PortalSession session)
    {
        var token = NewSecret(LinkPrefix);
        await _db.StringSetAsync(RedisKeys.Global.PortalLink(ApiKeyStore.HashOf(token)), JsonSerializer.Serialize(session, WebhooksJson.Options), session.ExpiresAt - DateTimeOffset.UtcNow);
        return token;
    }

    /// <summary>Opens a link: its session and the session's key, or null for a token that is unknown, expired or already used.</summary>
    public async Task<(PortalSession Session, string SessionKey)?> RedeemAsync(string token)
    {
        if (!token.StartsWith(LinkPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        // GETDEL: of two requests opening the same link, one gets it.
        var value = await _db.StringGetDeleteAsync(RedisKeys.Global.PortalLink(ApiKeyStore.HashOf(token)));
        if (value.IsNullOrEmpty || JsonSerializer.Deserialize<PortalSession>((string)value!, WebhooksJson.Options) is not { } session)
        {
            return null;
        }
        var left = session.ExpiresAt - DateTimeOffset.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            return null;
        }
        var key = NewSecret(SessionPrefix);
        await _db.StringSetAsync(RedisKeys.Global.PortalSession(ApiKeyStore.HashOf(key)), value, left);
        return (session, key);
    }

    /// <summary>The session a key opens, until it expires or is ended.</summary>
    public async Task<PortalSession?> FindAsync(string sessionKey)
    {
        var value = await _db.StringGetAsync(RedisKeys.Global.PortalSession(ApiKeyStore.HashOf(sessionKey)));
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<PortalSession>((string)value!, WebhooksJson.Options) is { } session && session.ExpiresAt > DateTimeOffset.UtcNow ? session : null;
    }

    /// <summary>Ends the session a key opens (signing out).</summary>
    public Task EndAsync(string sessionKey) => _db.KeyDeleteAsync(RedisKeys.Global.PortalSession(ApiKeyStore.HashOf(sessionKey)));
}
