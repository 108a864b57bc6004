using System.Text.Json;

namespace Webhooks.Contracts;

/// <summary>
/// A domain event to deliver to every endpoint of its tenant that subscribes to its type.
/// Ingest publishes it for HTTP callers; upstream services may publish it on the bus themselves.
/// </summary>
public sealed record EventPublished
{
    /// <summary>
    /// The event id (<c>evt_…</c>), the <c>webhook-id</c> receivers dedupe on. Bus publishers may
    /// leave it empty: it is then derived from the MassTransit message id, so a redelivered
    /// message never becomes a second event.
    /// </summary>
    public string? EventId { get; init; }

    /// <summary>Lowercase and dotted, such as <c>order.created</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The customer the event belongs to.</summary>
    public required string Tenant { get; init; }

    /// <summary>When it happened; the time it was accepted when not given.</summary>
    public DateTimeOffset? OccurredAt { get; init; }

    /// <summary>The payload, a JSON object. At least one of <see cref="Data"/> and <see cref="Resource"/> is set.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>An http(s) URL the receiver can fetch for the full state ("thin" events).</summary>
    public string? Resource { get; init; }
}
