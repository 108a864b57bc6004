using System.Text.Json;

namespace Webhooks.Core.Events;

/// <summary>An accepted event, as kept in Redis for the retention period.</summary>
public sealed record StoredEvent
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required string Tenant { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public JsonElement? Data { get; init; }
    public string? Resource { get; init; }

    /// <summary>Where its data did not conform to its type's schema when it was accepted under <c>warn</c> (<c>/data/amount: …</c>); none when it did.</summary>
    public IReadOnlyList<string>? SchemaViolations { get; init; }

    /// <summary>An example sent by <c>POST /v1/endpoints/{id}/test</c>: not listed with the tenant's events, never replayed.</summary>
    public bool Test { get; init; }
}
