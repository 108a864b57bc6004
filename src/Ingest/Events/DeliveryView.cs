namespace Webhooks.Ingest.Events;

public sealed record DeliveryView(
    string Id,
    string EndpointId,
    string Status,
    string? DeadLetterReason,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<AttemptView> Attempts);
