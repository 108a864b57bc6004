using System.Text.Json;

namespace Webhooks.Core.Endpoints;

/// <summary>What fan-out needs of an endpoint: which events it takes (types, and its payload filter, compiled) and whether it is on — no secrets.</summary>
public sealed record EndpointSubscription(string Id, IReadOnlyList<string> EventTypes, bool Enabled, PayloadFilter? Filter = null)
{
    public bool Subscribes(string eventType) => EventTypeFilter.Matches(EventTypes, eventType);

    /// <summary>Whether an event of <paramref name="eventType"/> with <paramref name="data"/> is a delivery of this endpoint: its type, then its content.</summary>
    public bool Takes(string eventType, JsonElement? data) => Subscribes(eventType) && (Filter is null || Filter.Matches(data));
}
