namespace Webhooks.Contracts;

/// <summary>An endpoint was switched off by the platform: it answered 410 Gone, or it kept failing for too long.</summary>
public sealed record EndpointDisabled
{
    /// <summary>The endpoint.</summary>
    public required string EndpointId { get; init; }

    /// <summary>Its tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary><c>gone</c> (410) or <c>failing</c> (failed continuously for the auto-disable period).</summary>
    public required string Reason { get; init; }

    /// <summary>When it was disabled.</summary>
    public required DateTimeOffset DisabledAt { get; init; }

    /// <summary>Since when it had been failing without a success in between.</summary>
    public DateTimeOffset? FailingSince { get; init; }
}
