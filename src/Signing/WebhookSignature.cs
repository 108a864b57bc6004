using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Signing;

/// <summary>
/// The Standard Webhooks signature: <c>v1,</c> and the base64 HMAC-SHA256 of
/// <c>{id}.{timestamp}.{body}</c>; several are sent space-separated during a secret rotation.
/// </summary>
public static class WebhookSignature
{
    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The <c>webhook-signature</c> header value for every secret given.</summary>
    public static string Header(IEnumerable<string> secrets, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var builder = new StringBuilder();
        foreach (var secret in secrets)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }
            builder.Append(Sign(WebhookSecret.Key(secret), id, timestamp, body));
        }
        return builder.ToString();
    }

    /// <summary>
    /// True when one of the header's signatures is valid for the secret and the timestamp is
    /// within the tolerance of now (replayed requests are refused).
    /// </summary>
    public static bool Verify(string secret, string id, string timestamp, string signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, out var seconds) || Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Sign(WebhookSecret.Key(secret), id, seconds, body));
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), expected))
            {
                return true;
            }
        }
        return false;
    }
}
