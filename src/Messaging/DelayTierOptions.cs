using System.ComponentModel.DataAnnotations;

namespace Webhooks.Messaging;

/// <summary>The ladder of delay queues (section <c>Webhooks:DelayTiers</c>): TTLs doubling from <see cref="Shortest"/>.</summary>
public sealed class DelayTierOptions : IValidatableObject
{
    public const string Section = "Webhooks:DelayTiers";

    public TimeSpan Shortest { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>15 tiers from 1 s reach 16384 s (4.5 h); longer waits hop through the longest tier again.</summary>
    [Range(1, 30)]
    public int Count { get; set; } = 15;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Shortest < TimeSpan.FromMilliseconds(1) || Shortest > TimeSpan.FromSeconds(2))
        {
            // Waits shorter than the shortest tier hold a consumer slot, which is only fine for a second or two.
            yield return new ValidationResult($"{Section}:Shortest must be between 1 ms and 2 s.");
        }
    }
}
