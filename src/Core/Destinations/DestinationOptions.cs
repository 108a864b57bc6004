using System.ComponentModel.DataAnnotations;

namespace Webhooks.Core.Destinations;

/// <summary>
/// Where deliveries may go (section <c>Webhooks:Destinations</c>). The SSRF guard refuses private,
/// loopback and link-local destinations unless they are on <see cref="Allow"/>; tests and the local
/// run allow 127.0.0.0/8 through this list, not by switching the guard off.
/// </summary>
public sealed class DestinationOptions : IValidatableObject
{
    public const string Section = "Webhooks:Destinations";

    /// <summary>
    /// Destinations allowed even where the guard would refuse them: CIDR ranges (<c>127.0.0.0/8</c>,
    /// <c>fd00::/8</c>), addresses and host names, each with the ports and tenants it is open to (see <see cref="AllowEntry"/>).
    /// </summary>
    public List<string> Allow { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var entry in Allow)
        {
            if (AllowEntry.Parse(entry, out var error) is null)
            {
                yield return new ValidationResult($"'{entry}' in {Section}:Allow is not an allow-list entry: {error}.");
            }
        }
    }
}
