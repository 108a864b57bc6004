using Webhooks.Core.SecretsAtRest;

namespace Webhooks.Core.Endpoints;

/// <summary>
/// An endpoint's secrets at rest: its signing secrets and its custom header values (often a subscriber's own
/// credentials) encrypted with the key ring (<see cref="SecretProtector"/>), each bound to its endpoint and, for a
/// header, its name, so that a stored value cannot be moved to another endpoint.
/// </summary>
public sealed class EndpointSecrets(SecretProtector protector)
{
    /// <summary>The endpoint as it is stored: every secret and header value encrypted with the current key.</summary>
    public WebhookEndpoint Seal(WebhookEndpoint endpoint) => endpoint with
    {
        Secret = protector.Protect(endpoint.Secret, endpoint.Id),
        PreviousSecret = endpoint.PreviousSecret is null ? null : protector.Protect(endpoint.PreviousSecret, endpoint.Id),
        Headers = endpoint.Headers.ToDictionary(h => h.Key, h => protector.Protect(h.Value, HeaderBinding(endpoint.Id, h.Key))),
    };

    /// <summary>The endpoint as it is used, from how it is stored (throws a CryptographicException when the ring lacks its key).</summary>
    public WebhookEndpoint Open(WebhookEndpoint stored) => stored with
    {
        Secret = protector.Unprotect(stored.Secret, stored.Id),
        PreviousSecret = stored.PreviousSecret is null ? null : protector.Unprotect(stored.PreviousSecret, stored.Id),
        // A value from before header values were encrypted is read as it is (start-up re-encryption then encrypts it).
        Headers = stored.Headers.ToDictionary(h => h.Key, h => SecretProtector.KeyIdOf(h.Value) is null ? h.Value : protector.Unprotect(h.Value, HeaderBinding(stored.Id, h.Key))),
    };

    /// <summary>Whether every value of a stored endpoint is encrypted with the current key.</summary>
    public bool IsCurrent(WebhookEndpoint stored) => KeyIdsOf(stored).All(id => id == protector.CurrentKeyId);

    /// <summary>The keys a stored endpoint's values need and the ring does not hold.</summary>
    public IEnumerable<string> MissingKeys(WebhookEndpoint stored) => KeyIdsOf(stored).Distinct().OfType<string>().Where(id => !protector.Holds(id));

    /// <summary>The key ids of a stored endpoint's encrypted values (null for one stored in clear, from before it was encrypted).</summary>
    private static IEnumerable<string?> KeyIdsOf(WebhookEndpoint stored) =>
        new[] { stored.Secret, stored.PreviousSecret }.OfType<string>().Concat(stored.Headers.Values).Select(SecretProtector.KeyIdOf);

    private static string HeaderBinding(string endpointId, string name) => $"{endpointId}:header:{name.ToLowerInvariant()}";
}
