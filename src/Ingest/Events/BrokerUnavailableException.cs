namespace Webhooks.Ingest.Events;

/// <summary>The broker did not confirm a publish in time: the caller gets 503, and the event may or may not be on its way.</summary>
public sealed class BrokerUnavailableException(string eventId, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The id the event would have; a retry with the same Idempotency-Key publishes under it.</summary>
    public string EventId { get; } = eventId;
}
