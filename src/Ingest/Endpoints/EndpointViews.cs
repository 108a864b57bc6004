using Webhooks.Core.Endpoints;

namespace Webhooks.Ingest.Endpoints;

/// <summary>An endpoint as the API shows it: the secret only once, when it is created.</summary>
public sealed record EndpointView(
    string Id,
    string Tenant,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    IReadOnlyDictionary<string, string> Headers,
    RateLimit? RateLimit,
    int? MaxInFlight,
    int TimeoutSeconds,
    string Payload,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Secret = null)
{
    public static EndpointView Of(WebhookEndpoint e, bool withSecret = false) =>
        new(e.Id, e.Tenant, e.Url, e.EventTypes, e.Description, e.Headers, e.RateLimit, e.MaxInFlight, e.TimeoutSeconds, e.Payload, e.Enabled, e.CreatedAt, e.UpdatedAt,
            withSecret ? e.Secret : null);
}

public sealed record EndpointPage(IReadOnlyList<EndpointView> Data, string? NextAfter);

public sealed record EndpointSecretView(string Secret, string? PreviousSecret, DateTimeOffset? PreviousSecretExpiresAt);

public sealed record AttemptPage(IReadOnlyList<Core.Deliveries.DeliveryAttempt> Data, int Offset, int Limit);
