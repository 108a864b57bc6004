using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Webhooks.Core.SecretsAtRest;

/// <summary>
/// Credentials printed in this repository (docker-compose.yml's defaults): anyone can read them, so
/// a host outside Development refuses to start with them.
/// </summary>
public static class PublishedDefaults
{
    public const string AdminKey = "whk_admin_compose_change_me";

    /// <summary>The key material of the compose file's at-rest key, whatever id it is given.</summary>
    public const string SecretsKeyMaterial = "d2ViaG9va3MtY29tcG9zZS1kZXYta2V5LWNoYW5nZSE=";

    public static string Refusal(string setting) =>
        $"{setting} is the default published in docker-compose.yml, which anyone can read; set your own (from a secret store). Only the Development environment accepts it.";

    /// <summary>As long as a generated admin key (<c>whk_admin_</c> and 32 hex digits): anything shorter is guessable, or a placeholder.</summary>
    public const int MinAdminKeyLength = 42;

    /// <summary>
    /// Why an admin key from configuration may not be used outside Development, or null: a placeholder this repository
    /// ships (compose's default, deploy/k8s's CHANGE-ME, the docs' whk_admin_…), or shorter than a generated key.
    /// </summary>
    public static string? AdminKeyRefusal(string? key, string setting)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }
        if (key == AdminKey)
        {
            return Refusal(setting);
        }
        if (key.Replace("-", "").Replace("_", "").Contains("changeme", StringComparison.OrdinalIgnoreCase) || key.Any(c => c is < '!' or > '~'))
        {
            return $"{setting} is a placeholder from this repository's examples (CHANGE-ME, compose's default, whk_admin_…): set a key of your own from a secret store, such as `echo whk_admin_$(openssl rand -hex 16)`. Only the Development environment accepts it.";
        }
        return key.Length < MinAdminKeyLength
            ? $"{setting} is {key.Length} characters, shorter than a generated key ({MinAdminKeyLength}): use one such as `echo whk_admin_$(openssl rand -hex 16)`. Only the Development environment accepts a shorter one."
            : null;
    }
}

/// <summary>Refuses <see cref="PublishedDefaults"/> among the at-rest keys outside Development.</summary>
public sealed class RefusePublishedSecretsKey(IHostEnvironment environment) : IValidateOptions<SecretEncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretEncryptionOptions options) =>
        !environment.IsDevelopment() && options.Keys.Any(k => k.Split(':', 2) is [_, PublishedDefaults.SecretsKeyMaterial])
            ? ValidateOptionsResult.Fail(PublishedDefaults.Refusal($"A key of {SecretEncryptionOptions.Section}:Keys"))
            : ValidateOptionsResult.Success;
}
