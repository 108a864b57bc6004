namespace Webhooks.Core.Endpoints;

/// <summary>What fan-out needs of an endpoint: which event types it takes and whether it is on — no secrets.</summary>
public sealed record EndpointSubscription(string Id, IReadOnlyList<string> EventTypes, bool Enabled)
{
    public bool Subscribes(string eventType) => EventTypeFilter.Matches(EventTypes, eventType);
}
