using System.Text.Json;

namespace Webhooks.Core.Endpoints;

/// <summary>A subscription: where to deliver which event types of one tenant, and how.</summary>
public sealed record WebhookEndpoint
{
    public required string Id { get; init; }
    public required string Tenant { get; init; }
    public required string Url { get; init; }
    public required IReadOnlyList<string> EventTypes { get; init; }
    public string? Description { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public RateLimit? RateLimit { get; init; }
    public int? MaxInFlight { get; init; }
    public int TimeoutSeconds { get; init; } = DefaultTimeoutSeconds;
    public string Payload { get; init; } = PayloadMode.Full;

    /// <summary>The payload filter as it was given (<see cref="PayloadFilter"/>); null for none.</summary>
    public JsonElement? Filter { get; init; }
    public bool Enabled { get; init; } = true;

    /// <summary>Why a disabled endpoint is off: <c>gone</c> (it answered 410), <c>failing</c> (for the auto-disable period) or <c>manual</c>; null while enabled.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>When it was switched off; null while enabled.</summary>
    public DateTimeOffset? DisabledAt { get; init; }
    public required string Secret { get; init; }

    /// <summary>The secret replaced by the last rotation, still signing until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; init; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Moves with every write, so that a write based on an older read is refused instead of undoing the newer one (0: stored before versions).</summary>
    public long Version { get; init; }

    public const int DefaultTimeoutSeconds = 15;

    /// <summary>The secrets to sign with now: the current one, and the previous one during its grace period.</summary>
    public IEnumerable<string> SigningSecrets(DateTimeOffset now)
    {
        yield return Secret;
        if (PreviousSecret is not null && PreviousSecretExpiresAt > now)
        {
            yield return PreviousSecret;
        }
    }

    public bool Subscribes(string eventType) => EventTypeFilter.Matches(EventTypes, eventType);
}

/// <summary>An endpoint's rate limit: requests a second, and how many may come at once (1 when not given).</summary>
public sealed record RateLimit(double PerSecond, int? Burst);
