using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Webhooks.Core.SecretsAtRest;

/// <summary>AES-256-GCM for secrets at rest, bound to what they belong to (the endpoint id) so a ciphertext cannot be moved.</summary>
public sealed class SecretProtector
{
    private const string Prefix = "enc:v1:";
    private readonly (string Id, byte[] Key)[] _keys;

    public SecretProtector(IOptions<SecretEncryptionOptions> options)
    {
        _keys = [.. options.Value.Keys.Select(k => ParseKey(k) ?? throw new InvalidOperationException($"Invalid {SecretEncryptionOptions.Section}:Keys entry."))];
    }

    public string CurrentKeyId => _keys[0].Id;

    /// <summary>Whether a secret encrypted with key <paramref name="keyId"/> can be read here.</summary>
    public bool Holds(string keyId) => _keys.Any(k => k.Id == keyId);

    public static (string Id, byte[] Key)? ParseKey(string entry)
    {
        var parts = entry.Split(':', 2);
        if (parts.Length != 2 || parts[0].Length == 0 || !parts[0].All(char.IsAsciiLetterOrDigit))
        {
            return null;
        }
        try
        {
            var key = Convert.FromBase64String(parts[1]);
            return key.Length == 32 ? (parts[0], key) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public string Protect(string plaintext, string boundTo)
    {
        var (id, key) = _keys[0];
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var input = Encoding.UTF8.GetBytes(plaintext);
        var sealed_ = new byte[nonce.Length + input.Length + AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(key, AesGcm.TagByteSizes.MaxSize);
        aes.Encrypt(nonce, input, sealed_.AsSpan(nonce.Length, input.Length), sealed_.AsSpan(nonce.Length + input.Length), Encoding.UTF8.GetBytes(boundTo));
        nonce.CopyTo(sealed_, 0);
        return $"{Prefix}{id}:{Convert.ToBase64String(sealed_)}";
    }

    public string Unprotect(string stored, string boundTo)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new CryptographicException("The secret is not encrypted.");
        }
        var parts = stored[Prefix.Length..].Split(':', 2);
        var key = _keys.FirstOrDefault(k => k.Id == parts[0]).Key
            ?? throw new CryptographicException($"The secret was encrypted with key '{parts[0]}', which is not among {SecretEncryptionOptions.Section}:Keys.");
        var sealed_ = Convert.FromBase64String(parts[1]);
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        var output = new byte[sealed_.Length - nonceSize - tagSize];
        using var aes = new AesGcm(key, tagSize);
        aes.Decrypt(sealed_.AsSpan(0, nonceSize), sealed_.AsSpan(nonceSize, output.Length), sealed_.AsSpan(nonceSize + output.Length), output, Encoding.UTF8.GetBytes(boundTo));
        return Encoding.UTF8.GetString(output);
    }

    /// <summary>
    /// A seal of <paramref name="value"/> for <paramref name="purpose"/>: <c>{key id}:{HMAC}</c> with a key derived from the
    /// current at-rest key, which only the platform's hosts hold — what marks a message as the platform's own.
    /// </summary>
    public string Seal(string purpose, string value) => $"{_keys[0].Id}:{Convert.ToBase64String(Mac(_keys[0].Key, purpose, value))}";

    /// <summary>Whether <paramref name="seal"/> is <see cref="Seal"/> of <paramref name="value"/> by a key this host holds (a rotated one too).</summary>
    public bool IsSealed(string purpose, string value, string? seal)
    {
        if (seal?.Split(':', 2) is not [var keyId, var mac] || _keys.FirstOrDefault(k => k.Id == keyId).Key is not { } key)
        {
            return false;
        }
        try
        {
            return CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(mac), Mac(key, purpose, value));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static byte[] Mac(byte[] key, string purpose, string value) =>
        HMACSHA256.HashData(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("webhooks-seal:" + purpose)), Encoding.UTF8.GetBytes(value));

    /// <summary>The id of the key a stored secret was encrypted with.</summary>
    public static string? KeyIdOf(string stored) =>
        stored.StartsWith(Prefix, StringComparison.Ordinal) ? stored[Prefix.Length..].Split(':', 2)[0] : null;
}
