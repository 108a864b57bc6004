using System.ComponentModel.DataAnnotations;

namespace Webhooks.Dispatcher.RateLimiting;

/// <summary>Section <c>Webhooks:RateLimiting</c>.</summary>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string Section = "Webhooks:RateLimiting";

    /// <summary>A rate-limited delivery waits in place for at most this long; a longer wait goes to the delay tiers.</summary>
    public TimeSpan MaxInPlaceWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How much later than its admission a rate-limited request may begin (its first byte written): a later one
    /// takes a new turn first (<see cref="StartGate"/>). The limiter's burst tolerance is cut by as much, so that at
    /// most <c>burst + rate × T</c> requests begin in any window <c>T</c> at the subscriber; where the tolerance is
    /// smaller than the slack (a burst of 1), the limit holds to within the slack.
    /// </summary>
    public TimeSpan SendSlack { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// While Redis is away each dispatcher limits on its own, at this fraction of an endpoint's
    /// rate: set it to 1/N for N dispatchers to stay within the limit even then.
    /// </summary>
    [Range(0.01, 1.0)]
    public double FallbackFraction { get; set; } = 0.5;

    /// <summary>Requests in flight to one endpoint across all dispatchers, when the endpoint sets no maxInFlight.</summary>
    [Range(1, 1000)]
    public int DefaultMaxInFlight { get; set; } = 16;

    /// <summary>The shortest wait of a delivery whose endpoint has all its requests in flight; its turn in line may be later.</summary>
    public TimeSpan InFlightRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest: a backlog at a hanging endpoint looks again this often, so it moves soon after the endpoint recovers.</summary>
    public TimeSpan MaxInFlightWait { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SendSlack < TimeSpan.Zero || SendSlack > TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult($"{Section}:SendSlack must lie between 0 and 1 second.");
        }
        if (InFlightRetryDelay < TimeSpan.Zero || MaxInFlightWait < InFlightRetryDelay || MaxInFlightWait > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult($"{Section}:InFlightRetryDelay must not be negative, and MaxInFlightWait must lie between it and 1 hour.");
        }
    }
}
