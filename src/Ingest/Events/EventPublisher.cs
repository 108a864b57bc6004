using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core.Events;
using Webhooks.Core.Fairness;
using Webhooks.ServiceDefaults;

namespace Webhooks.Ingest.Events;

/// <summary>The broker did not confirm a publish in time: the caller gets 503, and the event may or may not be on its way.</summary>
public sealed class BrokerUnavailableException(string eventId, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The id the event would have; a retry with the same Idempotency-Key publishes under it.</summary>
    public string EventId { get; } = eventId;
}

/// <summary>
/// Stores an event and publishes it, returning only once the broker confirmed it. Within its
/// tenant's allowance an event is published (to the fast fan-out lane and whoever else subscribes);
/// beyond it, it is sent to the tenant's bulk fan-out lane, so that a flood does not queue in
/// front of the other tenants' events.
/// </summary>
public sealed class EventPublisher(IBus bus, BrokerTopology topology, EventStore store, TenantAllowance allowance, IOptions<IngestOptions> options)
{
    public async Task PublishAsync(StoredEvent stored, CancellationToken cancellationToken)
    {
        if (!await store.SaveAsync(stored))
        {
            // A retry of a stored event (same Idempotency-Key): publish what was stored first.
            stored = await store.GetAsync(stored.Id) ?? stored;
        }
        var fast = await allowance.TakeAsync("events", stored.Tenant, 1);
        var message = new EventPublished
        {
            EventId = stored.Id,
            Type = stored.Type,
            Tenant = stored.Tenant,
            OccurredAt = stored.OccurredAt,
            Data = stored.Data,
            Resource = stored.Resource,
        };
        var timeout = options.Value.PublishTimeout;
        try
        {
            // No publish before the fan-out queue is bound, or the broker would confirm and drop it.
            await topology.Declared.WaitAsync(timeout, cancellationToken);
            // MassTransit waits for a reconnect and does not always honour cancellation: bound the wait ourselves.
            var published = fast
                ? bus.Publish(message, cancellationToken)
                : SendToBulkLaneAsync(message, cancellationToken);
            await published.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new BrokerUnavailableException(stored.Id, $"RabbitMQ did not confirm event {stored.Id} within {timeout.TotalSeconds} s.", e);
        }
        catch (Exception e) when (e is not OperationCanceledException and not BrokerUnavailableException)
        {
            throw new BrokerUnavailableException(stored.Id, $"Publishing event {stored.Id} failed: {e.Message}", e);
        }
    }

    private async Task SendToBulkLaneAsync(EventPublished message, CancellationToken cancellationToken)
    {
        var lane = await bus.GetSendEndpoint(BusTopology.LaneAddress(BusTopology.BulkLaneOf(BusTopology.FanOutQueue, message.Tenant)));
        await lane.Send(message, cancellationToken);
    }
}
