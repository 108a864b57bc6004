namespace Webhooks.Ingest.Auth;

/// <summary>Section <c>Webhooks:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Webhooks:Auth";

    /// <summary>
    /// The first admin key, unbound to any tenant, from configuration (a secret store in
    /// production): with it, create the other keys through <c>/v1/api-keys</c>.
    /// </summary>
    public string? AdminKey { get; set; }
}
