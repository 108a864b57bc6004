namespace Webhooks.Core.Endpoints;

/// <summary>
/// The endpoints against the key ring, walked in creation order: re-encrypting what an older key encrypted, and
/// naming the keys that stored secrets need and the ring lacks (with how many endpoints each).
/// </summary>
public sealed class EndpointKeyRing(EndpointRegistry registry, EndpointSecrets secrets)
{
    /// <summary>Re-encrypts every endpoint not under the current key; returns how many, and the keys it could not read them with.</summary>
    public async Task<(int Reencrypted, IReadOnlyDictionary<string, int> MissingKeys)> ReencryptAsync()
    {
        var count = 0;
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var stored in registry.StoredAsync())
        {
            if (secrets.IsCurrent(stored))
            {
                continue;
            }
            try
            {
                // Written back only if unchanged since this read: a change meanwhile was encrypted with the current key anyway.
                var endpoint = secrets.Open(stored);
                count += await registry.ReplaceAsync(endpoint with { Version = endpoint.Version + 1 }, endpoint.Version) == 1 ? 1 : 0;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                Count(stored, missing);
            }
        }
        return (count, missing);
    }

    /// <summary>The keys that endpoints' secrets are encrypted with and the key ring does not hold, with how many endpoints each.</summary>
    public async Task<IReadOnlyDictionary<string, int>> MissingKeysAsync()
    {
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var stored in registry.StoredAsync())
        {
            Count(stored, missing);
        }
        return missing;
    }

    private void Count(WebhookEndpoint stored, Dictionary<string, int> missing)
    {
        foreach (var keyId in secrets.MissingKeys(stored))
        {
            missing[keyId] = missing.GetValueOrDefault(keyId) + 1;
        }
    }
}
