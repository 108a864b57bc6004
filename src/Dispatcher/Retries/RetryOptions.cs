using System.ComponentModel.DataAnnotations;

namespace Webhooks.Dispatcher.Retries;

/// <summary>When failed deliveries, and deliveries and events that cannot go yet, are tried again (section <c>Webhooks:Retries</c>).</summary>
public sealed class RetryOptions : IValidatableObject
{
    public const string Section = "Webhooks:Retries";

    /// <summary>Svix's schedule: after the first attempt, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultSchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>Quick retries of a consumer that threw (a passing fault of the pipeline, not a failed attempt), before the message goes to its <c>_error</c> queue.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultFaultRetries =
    [
        TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2),
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

    /// <summary>An endpoint failing without a success for this long is announced once (<c>webhooks.endpoint.failing</c>), long before it is disabled.</summary>
    public TimeSpan FailingAnnounceAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A delivery whose endpoint this dispatcher has never seen, while Redis is away, waits this long (not an attempt).</summary>
    public TimeSpan UnknownEndpointDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// While Redis is away, an event whose fan-out could not read the registry, and a dead letter that could not
    /// be indexed, wait this long in their retry queues and come back.
    /// </summary>
    public TimeSpan RedisAwayWait { get => _redisAwayWait ?? FanOutDeferral ?? TimeSpan.FromSeconds(5); set => _redisAwayWait = value; }

    private TimeSpan? _redisAwayWait;

    /// <summary><see cref="RedisAwayWait"/>'s name before it also timed the dead letters' retries; still read when the new one is not set.</summary>
    public TimeSpan? FanOutDeferral { get; set; }

    /// <summary>The waits between quick retries of a consumer that threw; the default when not set (configuration cannot give an empty list).</summary>
    public List<TimeSpan>? FaultRetries { get; set; }

    public IReadOnlyList<TimeSpan> Waits => Schedule is { Count: > 0 } schedule ? schedule : DefaultSchedule;

    public IReadOnlyList<TimeSpan> FaultRetryWaits => FaultRetries is { Count: > 0 } waits ? waits : DefaultFaultRetries;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Waits.Any(w => w < TimeSpan.Zero))
        {
            yield return new ValidationResult($"{Section}:Schedule holds a negative wait.");
        }
        if (FaultRetryWaits.Any(w => w < TimeSpan.Zero))
        {
            yield return new ValidationResult($"{Section}:FaultRetries holds a negative wait.");
        }
        if (MaxRetryAfter < TimeSpan.Zero || AutoDisableAfter <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{Section}:MaxRetryAfter and AutoDisableAfter must be positive.");
        }
        if (UnknownEndpointDelay <= TimeSpan.Zero || RedisAwayWait < TimeSpan.FromMilliseconds(1) || RedisAwayWait > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult($"{Section}:UnknownEndpointDelay must be positive and RedisAwayWait (formerly FanOutDeferral) between 1 ms and 1 hour.");
        }
    }
}
