using System.ComponentModel.DataAnnotations;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>When failed deliveries are tried again (section <c>Webhooks:Retries</c>).</summary>
public sealed class RetryOptions : IValidatableObject
{
    public const string Section = "Webhooks:Retries";

    /// <summary>Svix's schedule: after the first attempt, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultSchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>The waits before the second, third, … attempts; the default schedule when not set.</summary>
    public List<TimeSpan>? Schedule { get; set; }

    /// <summary>Each wait is varied by up to this fraction either way, so failed endpoints are not retried in lockstep.</summary>
    [Range(0.0, 0.5)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>The longest <c>Retry-After</c> (on 429 and 503) that is honoured; longer ones are cut to it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An endpoint failing without a single success for this long is disabled.</summary>
    public TimeSpan AutoDisableAfter { get; set; } = TimeSpan.FromDays(5);

    public IReadOnlyList<TimeSpan> Waits => Schedule is { Count: > 0 } schedule ? schedule : DefaultSchedule;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Waits.Any(w => w < TimeSpan.Zero))
        {
            yield return new ValidationResult($"{Section}:Schedule holds a negative wait.");
        }
        if (MaxRetryAfter < TimeSpan.Zero || AutoDisableAfter <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{Section}:MaxRetryAfter and AutoDisableAfter must be positive.");
        }
    }
}

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
