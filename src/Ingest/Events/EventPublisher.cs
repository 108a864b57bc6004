using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core.Events;
using Webhooks.Core.Fairness;
using Webhooks.Core.Operational;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Messaging;

namespace Webhooks.Ingest.Events;

/// <summary>
/// Stores an event and publishes it, returning only once the broker confirmed it. Within its
/// tenant's allowance an event is published (to the fast fan-out lane and whoever else subscribes);
/// beyond it, it is sent to the tenant's bulk fan-out lane, so that a flood does not queue in
/// front of the other tenants' events.
/// </summary>
public sealed class EventPublisher(IBus bus, TopologyDeclaration topology, EventStore store, TenantLanes lanes, SecretProtector protector, IOptions<IngestOptions> options)
{
    public async Task PublishAsync(StoredEvent stored, CancellationToken cancellationToken)
    {
        using var activity = IngestTelemetry.Activities.StartActivity("event accept");
        activity?.SetTag("webhooks.event.id", stored.Id);
        activity?.SetTag("webhooks.event.type", stored.Type);
        // Stored and counted against the tenant's allowance in one round trip.
        var saving = store.SaveAsync(stored);
        var choosing = lanes.ChooseAsync(FairnessStage.Events, stored.Tenant, 1);
        await Task.WhenAll(saving, choosing);
        if (!saving.Result.Saved)
        {
            // A retry of a stored event (same Idempotency-Key): publish what was stored first.
            stored = await store.GetAsync(stored.Id) ?? stored;
        }
        var lane = choosing.Result;
        activity?.SetTag("webhooks.lane", lane);
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
            // The platform's own events (webhooks.*, refused from callers before this) carry its seal.
            var seal = OperationalEvents.IsOperational(message.Type) ? OperationalEvents.SealOf(protector, message) : null;
            var endpointsVersion = saving.Result.EndpointsVersion;
            // Checked against the catalog before it came here (every caller of this checks it).
            var checkedSeal = EventHeaders.CheckedSeal(protector, stored.Id, stored.Type, stored.Tenant);
            var published = lane == TenantLanes.FastLane(FairnessStage.Events)
                ? bus.Publish(message, context => SetHeaders(context, seal, checkedSeal, endpointsVersion), cancellationToken)
                : SendToLaneAsync(lane, message, seal, checkedSeal, endpointsVersion, cancellationToken);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await published.WaitAsync(timeout, cancellationToken);
            IngestTelemetry.PublishDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            IngestTelemetry.EventsAccepted.Add(1, IngestTelemetry.Tag("lane", lane == TenantLanes.FastLane(FairnessStage.Events) ? "fast" : "bulk"));
        }
        catch (TimeoutException e)
        {
            throw new BrokerUnavailableException(stored.Id, $"RabbitMQ did not confirm event {stored.Id} within {timeout.TotalSeconds} s.", e);
        }
        // A message that cannot be serialised is our fault, not the broker's: a 500, never a 503 to retry for ever.
        catch (Exception e) when (e is not OperationCanceledException and not BrokerUnavailableException and not System.Runtime.Serialization.SerializationException and not System.Text.Json.JsonException)
        {
            throw new BrokerUnavailableException(stored.Id, $"Publishing event {stored.Id} failed: {e.Message}", e);
        }
    }

    private async Task SendToLaneAsync(string lane, EventPublished message, string? seal, string checkedSeal, long? endpointsVersion, CancellationToken cancellationToken)
    {
        var endpoint = await bus.GetSendEndpoint(Queues.Address(lane));
        await endpoint.Send(message, context => SetHeaders(context, seal, checkedSeal, endpointsVersion), cancellationToken);
    }

    private static void SetHeaders(SendContext context, string? seal, string checkedSeal, long? endpointsVersion)
    {
        // Kept and listed here already, for the endpoints of this version at least, and checked against the catalog: fan-out need not do any again.
        context.Headers.Set(EventHeaders.Kept, EventHeaders.KeptValue);
        context.Headers.Set(EventHeaders.Checked, checkedSeal);
        if (endpointsVersion is { } version)
        {
            context.Headers.Set(EventHeaders.EndpointsVersion, EventHeaders.VersionValue(version));
        }
        if (seal is not null)
        {
            context.Headers.Set(OperationalEvents.SealHeader, seal);
        }
    }
}
