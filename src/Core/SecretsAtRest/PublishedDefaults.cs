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
}

/// <summary>Refuses <see cref="PublishedDefaults"/> among the at-rest keys outside Development.</summary>
public sealed class RefusePublishedSecretsKey(IHostEnvironment environment) : IValidateOptions<SecretEncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretEncryptionOptions options) =>
        !environment.IsDevelopment() && options.Keys.Any(k => k.Split(':', 2) is [_, PublishedDefaults.SecretsKeyMaterial])
            ? ValidateOptionsResult.Fail(PublishedDefaults.Refusal($"A key of {SecretEncryptionOptions.Section}:Keys"))
            : ValidateOptionsResult.Success;
}
