namespace Webhooks.Ingest.Events;

/// <summary>A delivery of an event: its state, how many attempts it made, and the latest of them (oldest first).</summary>
public sealed record DeliveryView(
    string Id,
    string EndpointId,
    string Status,
    string? DeadLetterReason,
    DateTimeOffset UpdatedAt,
    int AttemptCount,
    IReadOnlyList<AttemptView> Attempts);
