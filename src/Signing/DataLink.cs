using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Signing;

/// <summary>
/// The link a thin delivery carries to fetch its event's data: Ingest's
/// <c>/v1/events/{eventId}/data?endpoint=…&amp;expires=…&amp;signature=…</c>, signed with the
/// endpoint's signing secret (the key its subscriber already verifies webhooks with): the
/// base64url HMAC-SHA256 of <c>data.{eventId}.{endpointId}.{expires}</c>, expires in Unix seconds.
/// The <c>data.</c> prefix keeps a link's signature from ever passing as a webhook's, or the reverse.
/// </summary>
public static class DataLink
{
    public static string Signature(string secret, string eventId, string endpointId, long expires) =>
        Base64Url(HMACSHA256.HashData(WebhookSecret.Key(secret), Encoding.UTF8.GetBytes(Signed(eventId, endpointId, expires))));

    /// <summary>The link, on <paramref name="ingest"/> (Ingest's public base URL).</summary>
    public static string For(Uri ingest, string eventId, string endpointId, string secret, DateTimeOffset expiresAt)
    {
        var expires = expiresAt.ToUnixTimeSeconds();
        // A base with a path (https://api.example.com/webhooks) keeps it: resolve under it, not beside it.
        var under = ingest.AbsoluteUri.EndsWith('/') ? ingest : new Uri(ingest.AbsoluteUri + "/");
        return new Uri(under, $"v1/events/{Uri.EscapeDataString(eventId)}/data?endpoint={Uri.EscapeDataString(endpointId)}&expires={expires.ToString(CultureInfo.InvariantCulture)}&signature={Signature(secret, eventId, endpointId, expires)}").ToString();
    }

    /// <summary>Whether <paramref name="signature"/> was made with one of <paramref name="secrets"/> for these values (compared in constant time).</summary>
    public static bool Verify(IEnumerable<string> secrets, string eventId, string endpointId, long expires, string signature)
    {
        var given = Encoding.ASCII.GetBytes(signature);
        var valid = false;
        foreach (var secret in secrets)
        {
            valid |= CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(Signature(secret, eventId, endpointId, expires)));
        }
        return valid;
    }

    private static string Signed(string eventId, string endpointId, long expires) => $"data.{eventId}.{endpointId}.{expires.ToString(CultureInfo.InvariantCulture)}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
