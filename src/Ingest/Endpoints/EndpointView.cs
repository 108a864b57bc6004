using System.Text.Json;
using Webhooks.Core.Endpoints;
using Webhooks.Ingest.Events;

namespace Webhooks.Ingest.Endpoints;

/// <summary>
/// An endpoint as the API shows it: the secret only once, when it is created; custom header names
/// but never their values (often a subscriber's credentials); its version is also its ETag.
/// </summary>
public sealed record EndpointView(
    string Id,
    string Tenant,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    IReadOnlyDictionary<string, string> Headers,
    RateLimitView? RateLimit,
    int? MaxInFlight,
    int TimeoutSeconds,
    string Payload,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version,
    string? Secret = null,
    JsonElement? Filter = null,
    string? DisabledReason = null,
    DateTimeOffset? DisabledAt = null)
{
    /// <summary>What a header value is shown as; sent back in a <c>PATCH</c>, it keeps the value the header has.</summary>
    public const string HiddenValue = "********";

    public static EndpointView Of(WebhookEndpoint e, bool withSecret = false) =>
        new(e.Id, e.Tenant, e.Url, e.EventTypes, e.Description, e.Headers.ToDictionary(h => h.Key, _ => HiddenValue), e.RateLimit is { } r ? new RateLimitView(r.PerSecond, r.Burst) : null, e.MaxInFlight, e.TimeoutSeconds, e.Payload, e.Enabled, e.CreatedAt, e.UpdatedAt, e.Version,
            withSecret ? e.Secret : null, e.Filter, e.DisabledReason, e.DisabledAt);
}

/// <summary>An endpoint's rate limit: requests a second, and how many may come at once.</summary>
public sealed record RateLimitView(double PerSecond, int? Burst);

/// <summary>An endpoint's signing secret, and the one it replaced while that still signs (its grace period).</summary>
public sealed record EndpointSecretView(string Secret, string? PreviousSecret, DateTimeOffset? PreviousSecretExpiresAt);

/// <summary>A page of endpoints; <c>nextAfter</c> (null at the end) goes in <c>after</c> for the next one.</summary>
public sealed record EndpointPage(IReadOnlyList<EndpointView> Data, string? NextAfter);

/// <summary>A page of an endpoint's attempts; <c>nextAfter</c> (null at the end) goes in <c>after</c> for the next one.</summary>
public sealed record AttemptPage(IReadOnlyList<AttemptView> Data, string? NextAfter);
