namespace Webhooks.Ingest.Events;

/// <summary>A delivery of an event: its state, how many attempts it made, and the latest of them (oldest first).</summary>
public sealed record DeliveryView(
    string Id,
    string EndpointId,
    DeliveryEndpointView? Endpoint,
    string Status,
    string? DeadLetterReason,
    DateTimeOffset UpdatedAt,
    int AttemptCount,
    IReadOnlyList<AttemptView> Attempts);

/// <summary>Where a delivery goes: the endpoint's URL up to its host (its path may carry a credential) and its description; null once the endpoint is deleted.</summary>
public sealed record DeliveryEndpointView(string Url, string? Description);
