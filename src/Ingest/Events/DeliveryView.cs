namespace Webhooks.Ingest.Events;

/// <summary>
/// A delivery of an event: its state, how many attempts it made, and the latest of them (oldest first); while it is
/// retrying, when the next attempt is due and the number of the last one its schedule allows; once dead-lettered,
/// its dead letter (or that it was purged).
/// </summary>
public sealed record DeliveryView(
    string Id,
    string EndpointId,
    DeliveryEndpointView? Endpoint,
    string Status,
    string? DeadLetterReason,
    DateTimeOffset UpdatedAt,
    int AttemptCount,
    IReadOnlyList<AttemptView> Attempts,
    DateTimeOffset? NextAttemptAt = null,
    int? FinalAttempt = null,
    string? DeadLetterId = null,
    bool Purged = false);

/// <summary>Where a delivery goes: the endpoint's URL up to its host (its path may carry a credential) and its description; null once the endpoint is deleted.</summary>
public sealed record DeliveryEndpointView(string Url, string? Description);
