using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Webhooks.Core.Destinations;

/// <summary>
/// Where deliveries may go (section <c>Webhooks:Destinations</c>). The SSRF guard refuses private,
/// loopback and link-local destinations unless they are on <see cref="Allow"/>; tests and the local
/// run allow 127.0.0.0/8 through this list, not by switching the guard off.
/// </summary>
public sealed class DestinationOptions : IValidatableObject
{
    public const string Section = "Webhooks:Destinations";

    /// <summary>CIDR ranges (<c>127.0.0.0/8</c>, <c>fd00::/8</c>) and host names allowed even where the guard would refuse them.</summary>
    public List<string> Allow { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var entry in Allow)
        {
            if (!IPNetwork.TryParse(entry, out _) && !IPAddress.TryParse(entry, out _) && Uri.CheckHostName(entry) != UriHostNameType.Dns)
            {
                yield return new ValidationResult($"'{entry}' in {Section}:Allow is neither a CIDR range, an IP address nor a host name.");
            }
        }
    }
}
