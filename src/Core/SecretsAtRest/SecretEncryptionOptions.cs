using System.ComponentModel.DataAnnotations;

namespace Webhooks.Core.SecretsAtRest;

/// <summary>
/// The keys that encrypt endpoint secrets at rest (section <c>Webhooks:Secrets</c>): entries
/// <c>id:base64-of-32-bytes</c>; the first encrypts, every one decrypts, so a key is rotated by
/// putting a new one first.
/// </summary>
public sealed class SecretEncryptionOptions : IValidatableObject
{
    public const string Section = "Webhooks:Secrets";

    public List<string> Keys { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Keys.Count == 0)
        {
            yield return new ValidationResult($"{Section}:Keys is empty: endpoint secrets are encrypted at rest. Add a key such as 'k1:' followed by `openssl rand -base64 32`.");
        }
        foreach (var entry in Keys)
        {
            if (SecretProtector.ParseKey(entry) is null)
            {
                yield return new ValidationResult($"An entry of {Section}:Keys is not 'id:base64 of 32 bytes' (the id is letters and digits).");
            }
        }
    }
}
