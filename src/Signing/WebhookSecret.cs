using System.Security.Cryptography;

namespace Webhooks.Signing;

/// <summary>Standard Webhooks signing secrets: <c>whsec_</c> and the base64 of the key bytes.</summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";

    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The HMAC key: the decoded bytes after the prefix.</summary>
    public static byte[] Key(string secret)
    {
        var encoded = secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret;
        return Convert.FromBase64String(encoded);
    }
}
