namespace Webhooks.Core.Deliveries;

/// <summary>The current state of one delivery, kept with its event.</summary>
public sealed record DeliveryRecord
{
    public required string Id { get; init; }
    public required string EndpointId { get; init; }
    public required string Status { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    public string? DeadLetterReason { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
