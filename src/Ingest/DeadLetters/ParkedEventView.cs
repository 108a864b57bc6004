using System.Text.Json;

namespace Webhooks.Ingest.DeadLetters;

/// <summary>An event refused before fan-out (a bus-published event that failed validation), as it was published.</summary>
public sealed record ParkedEventView(string? EventId, string? Type, string? Tenant, DateTimeOffset? OccurredAt, JsonElement? Data, string? Resource);
