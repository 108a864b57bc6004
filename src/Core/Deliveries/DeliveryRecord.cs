using Webhooks.Contracts;

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

    /// <summary>
    /// The delivery's live retry chain (<see cref="DeliverWebhook.Chain"/>): a resend, redrive, recover or replay
    /// starts a new one, and a message of any other chain is dropped when it comes back. Null: fan-out's first chain.
    /// </summary>
    public string? Chain { get; init; }

    /// <summary>The delivery's dead letter while it is dead-lettered (its one dead letter: a new chain removes it).</summary>
    public string? DeadLetterId { get; init; }

    /// <summary>Dead-lettered, and its dead letter purged since: recover and replay may send it again.</summary>
    public bool Purged { get; init; }

    /// <summary>Whether a message of <paramref name="chain"/> belongs to the live chain (a record from before chains has none: fan-out's).</summary>
    public bool IsChain(string? chain) => Chain == chain;
}
