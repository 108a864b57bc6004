using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.EventTypes;
using Webhooks.Core.Fairness;
using Webhooks.Core.Operational;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Dispatcher.DeadLetters;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.Deliveries;
using Webhooks.Dispatcher.Endpoints;
using Webhooks.Dispatcher.Retries;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.FanOut;

/// <summary>
/// Turns an event into one delivery per enabled endpoint of its tenant that subscribes to its type, so that each
/// (event, endpoint) pair is retried and dead-lettered on its own; the first attempt of each that can go now is made
/// here, the others become <see cref="DeliverWebhook"/> messages on the tenant's delivery lane.
/// </summary>
public sealed partial class FanOutConsumer(TenantEndpoints tenantEndpoints, FanOutClaims claims, DeliveryStore deliveries, DeliveryTurn turn, SlowEndpoints slow, FanOutCapacity capacity, DeadLetterSender deadLetters,
    TopologyDeclaration topology, TenantLanes lanes, RedisCircuit circuit, SecretProtector protector, EventTypeCatalog catalog, IOptions<DispatcherOptions> options, IOptions<RetryOptions> retries,
    IOptions<BrokerOptions> broker, ILogger<FanOutConsumer> logger)
    : IConsumer<EventPublished>
{
    [GeneratedRegex("^evt_[A-Za-z0-9_-]{1,60}\\z")]
    private static partial Regex EventIdPattern();

    public async Task Consume(ConsumeContext<EventPublished> context)
    {
        var message = context.Message;
        // A bus publisher may leave the id out: derive it from the message id, which a redelivery keeps.
        var eventId = message.EventId ?? SortableId.FromGuid("evt", context.MessageId ?? throw new InvalidOperationException("The message has no MessageId."));

        var errors = EventRules.Check(message.Type, message.Tenant, message.Data, message.Resource);
        if (!EventIdPattern().IsMatch(eventId))
        {
            errors["eventId"] = [$"'{eventId}' is not an event id ('evt_' and up to 60 letters, digits, '_' or '-')."];
        }
        // A reserved type only from the platform itself, as its seal shows: a service on the bus cannot forge one.
        if (message.Type is { } type && OperationalEvents.IsOperational(type)
            && !OperationalEvents.IsSealed(protector, eventId, type, message.Tenant ?? "", context.Headers.Get<string>(OperationalEvents.SealHeader)))
        {
            errors["type"] = [EventRules.CheckPublishable(type)!];
        }
        if (errors.Count > 0)
        {
            await DeadLetterAsync(context, eventId, errors.SelectMany(e => e.Value));
            return;
        }
        try
        {
            // Ingest checked what it accepted (its seal says so); a bus-published event is checked against the catalog here.
            IReadOnlyList<string>? schemaViolations = null;
            var schemas = await catalog.CurrentAsync();
            if (schemas.Checks(message.Type!) && !EventHeaders.IsChecked(protector, eventId, message.Type!, message.Tenant!, context.Headers.Get<string>(EventHeaders.Checked)))
            {
                var (mode, violations) = schemas.Check(message.Type!, message.Data);
                if (violations.Count > 0)
                {
                    var enforced = mode == SchemaValidation.Enforce;
                    DispatcherTelemetry.SchemaViolations.Add(1, DispatcherTelemetry.Tag("type", message.Type), DispatcherTelemetry.Tag("outcome", enforced ? "refused" : "accepted"));
                    if (enforced)
                    {
                        await DeadLetterAsync(context, eventId, [$"Its data does not conform to the schema '{message.Type}' enforces: {string.Join("; ", violations)}."]);
                        return;
                    }
                    schemaViolations = [.. violations.Select(v => v.ToString())];
                }
            }
            await FanOutAsync(context, eventId, schemaViolations);
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The registry cannot be read: the event waits and comes back, instead of faulting.
            LogDeferred(e, eventId);
            // Only dispatchers declare the retry queue: never send before it exists, or the broker would drop the event.
            await topology.Declared.WaitAsync(context.CancellationToken);
            var retry = await context.GetSendEndpoint(Queues.Address(Queues.FanOutRetry(retries.Value.RedisAwayWait)));
            // The platform's seal goes with it (an operational event would come back a forgery without it), and what Ingest said of it.
            var carried = EventHeaders.CarriedOn.Append(OperationalEvents.SealHeader)
                .Select(name => (Name: name, Value: context.Headers.Get<string>(name))).Where(h => h.Value is not null).ToList();
            await retry.Send(message with { EventId = eventId }, send =>
            {
                foreach (var (name, value) in carried)
                {
                    send.Headers.Set(name, value);
                }
            }, context.CancellationToken).Confirmed(broker.Value);
        }
    }

    /// <summary>An event that cannot be fanned out, dead-lettered <c>invalid_event</c> with the reasons.</summary>
    private Task DeadLetterAsync(ConsumeContext<EventPublished> context, string eventId, IEnumerable<string> reasons) =>
        deadLetters.SendAsync(context, new DeliveryDeadLettered
        {
            Reason = DeadLetterReasons.InvalidEvent,
            Detail = string.Join(" ", reasons),
            EventId = eventId,
            Tenant = context.Message.Tenant ?? "",
            DeadLetteredAt = DateTimeOffset.UtcNow,
            Event = context.Message,
        });

    private async Task FanOutAsync(ConsumeContext<EventPublished> context, string eventId, IReadOnlyList<string>? schemaViolations)
    {
        var message = context.Message;
        var stored = new StoredEvent
        {
            Id = eventId,
            Type = message.Type,
            Tenant = message.Tenant,
            OccurredAt = message.OccurredAt ?? context.SentTime ?? DateTimeOffset.UtcNow,
            ReceivedAt = DateTimeOffset.UtcNow,
            Data = message.Data,
            Resource = message.Resource,
            SchemaViolations = schemaViolations,
        };
        // The tenant's endpoints first (no read at all when this copy is as new as the version Ingest read as it accepted the event),
        // then one script: the claim, the event kept unless Ingest kept it (its header says so; a bus-published one is kept here),
        // and the pending deliveries.
        var kept = EventHeaders.IsKept(context.Headers.Get<string>(EventHeaders.Kept));
        var acceptedAt = EventHeaders.VersionOf(context.Headers.Get<string>(EventHeaders.EndpointsVersion));
        var endpoints = Matching(await tenantEndpoints.ForTenantAsync(stored.Tenant, acceptedAt), stored);
        using var deliveriesInHand = await capacity.TakeDeliveriesAsync(endpoints.Count, context.CancellationToken);
        var (claim, records) = await claims.ClaimAsync(stored, options.Value.FanOutLease, kept, NewDeliveries(endpoints));
        if (claim != FanOutClaim.Claimed)
        {
            if (claim == FanOutClaim.AlreadyDone || await ClaimAsync(stored, kept, context.CancellationToken) is not { } claimed)
            {
                LogAlreadyFannedOut(eventId);
                return;
            }
            (endpoints, records) = claimed; // it waited for another copy: the endpoints as they are now
        }

        bool fannedOut;
        try
        {
            fannedOut = await SendDeliveriesAsync(context, stored, endpoints, records);
        }
        catch (Exception e) when (e is not StackExchange.Redis.RedisException and not TimeoutException and not OperationCanceledException)
        {
            // Give the claim back, so that the retry of this event fans it out at once instead of waiting out the lease.
            await claims.ReleaseAsync(stored.Id);
            throw;
        }
        if (!fannedOut)
        {
            await claims.MarkDoneAsync(stored.Id);
        }
        LogFannedOut(stored.Id, stored.Type, stored.Tenant, endpoints.Count);
    }

    /// <summary>
    /// One delivery per endpoint, recorded as pending. Fan-out makes the first attempt of those that can go now itself
    /// (<see cref="DispatcherOptions.DeliverAtFanOut"/>): the event is acknowledged once each is recorded or handed on.
    /// The rest go to the tenant's delivery lane: past <see cref="DispatcherOptions.FanOutAttempts"/> endpoints, endpoints
    /// found slow lately, and what admission puts off (through the delay tiers). A tenant over its delivery allowance whose
    /// event came in the fast event lane (a large fan-out) has every delivery sent to its bulk lane; one whose event is in
    /// its bulk event lane already is attempted there, as isolated from other tenants as its bulk delivery lane would be.
    /// A disabled endpoint's delivery is dead-lettered, so it can be recovered once the endpoint is back. True when the fan-out
    /// was marked done already: by the record of its only delivery, delivered here.
    /// </summary>
    private async Task<bool> SendDeliveriesAsync(ConsumeContext<EventPublished> context, StoredEvent stored, IReadOnlyList<EndpointSubscription> subscriptions,
        IReadOnlyList<(string Id, DeliveryRecord? Existing)> records)
    {
        if (subscriptions.Count == 0)
        {
            return false;
        }
        await topology.Declared.WaitAsync(context.CancellationToken);
        // Disabled endpoints count too: their dead letters are work and storage like any delivery.
        var eventLane = TenantLanes.LaneOf(FairnessStage.Events, context.ReceiveContext.InputAddress);
        var laneName = await ChooseLaneAsync(stored.Tenant, subscriptions.Count, eventLane);
        var lane = await context.GetSendEndpoint(Queues.Address(laneName));
        var here = AttemptedHere(subscriptions, records, laneName, eventLane);
        if (here.Count > 0)
        {
            DispatcherTelemetry.FanOutAttempts.Add(here.Count);
        }
        var fannedOut = false;
        await Task.WhenAll(subscriptions.Select(async (subscription, i) =>
        {
            var delivery = DeliverWebhook.Of(stored, subscription.Id, records[i].Id);
            if (records[i].Existing is { } existing && (existing.Status is DeliveryStatus.Delivered or DeliveryStatus.DeadLettered || existing.Chain is not null))
            {
                // An earlier copy of this fan-out saw it through, or a resend replaced its chain since: nothing to do.
                return;
            }
            // Counted pending at its endpoint when queued; an attempt made here is not, unless it is to be retried (its record counts it then).
            if (!subscription.Enabled)
            {
                await deadLetters.SendAsync(context, new DeliveryDeadLettered
                {
                    Reason = DeadLetterReasons.EndpointDisabled,
                    Detail = $"Endpoint {subscription.Id} is disabled.",
                    EventId = stored.Id,
                    Tenant = stored.Tenant,
                    DeadLetteredAt = DateTimeOffset.UtcNow,
                    Delivery = delivery,
                });
                return;
            }
            if (here.Contains(i))
            {
                // The only delivery's record may mark the fan-out done (one write fewer); with more, fan-out marks it once all are seen to.
                fannedOut = await AttemptHereAsync(context, lane, laneName, delivery, endsFanOut: subscriptions.Count == 1);
                return;
            }
            await QueueAsync(lane, delivery, context.CancellationToken);
        }));
        return fannedOut;
    }

    /// <summary>
    /// Which deliveries fan-out attempts itself: those bound for the fast delivery lane, or for a bulk one when the event came in a
    /// bulk lane itself; new (an earlier copy of this fan-out may have attempted the others: they go to the lane, as before);
    /// to an enabled endpoint not found slow lately; up to <see cref="DispatcherOptions.FanOutAttempts"/>.
    /// </summary>
    private HashSet<int> AttemptedHere(IReadOnlyList<EndpointSubscription> subscriptions, IReadOnlyList<(string Id, DeliveryRecord? Existing)> records, string deliveryLane, string eventLane)
    {
        var settings = options.Value;
        var queuedAside = deliveryLane != TenantLanes.FastLane(FairnessStage.Deliveries) && eventLane == TenantLanes.FastLane(FairnessStage.Events);
        if (!settings.DeliverAtFanOut || queuedAside)
        {
            return [];
        }
        return [.. Enumerable.Range(0, subscriptions.Count)
            .Where(i => records[i].Existing is null && subscriptions[i].Enabled && !slow.IsSlow(subscriptions[i].Id))
            .Take(settings.FanOutAttempts)];
    }

    /// <summary>
    /// The delivery's first turn, taken here; what waits comes back to <paramref name="laneName"/>, and should the turn fail midway
    /// (Redis or the broker), that lane takes it over. True when the turn's record marked the fan-out done (asked for with
    /// <paramref name="endsFanOut"/>).
    /// </summary>
    private async Task<bool> AttemptHereAsync(ConsumeContext context, ISendEndpoint lane, string laneName, DeliverWebhook delivery, bool endsFanOut)
    {
        TurnEnd end;
        try
        {
            end = await capacity.RunAttemptAsync(() => turn.TakeAsync(context, delivery, laneName, endsFanOut), context.CancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHandedOn(e, delivery.EventId, delivery.EndpointId);
            await QueueAsync(lane, delivery, context.CancellationToken);
            return false;
        }
        if (end == TurnEnd.PutOff)
        {
            // Waiting in the tiers now: pending (a count for the endpoint's stats; while Redis is away it goes without).
            await circuit.TryAsync(() => deliveries.IndexPendingAsync(delivery.EndpointId, delivery.DeliveryId));
        }
        return end == TurnEnd.OverAndFannedOut;
    }

    /// <summary>Counts the delivery pending at its endpoint, then sends it to the lane (in that order: its record, once attempted, uncounts it).</summary>
    private async Task QueueAsync(ISendEndpoint lane, DeliverWebhook delivery, CancellationToken cancellationToken)
    {
        await deliveries.IndexPendingAsync(delivery.EndpointId, delivery.DeliveryId);
        await lane.Send(delivery, cancellationToken).Confirmed(broker.Value);
    }

    /// <summary>The delivery lane for an event's <paramref name="deliveries"/> deliveries, by the tenant's allowance.</summary>
    /// <remarks>
    /// An event in the tenant's bulk event lane (over its event allowance when it was accepted) has its deliveries in the tenant's bulk
    /// delivery lane, without counting against the delivery allowance: that is left to its events in the fast lane, whose deliveries would
    /// otherwise find it used up by the flood and be queued aside.
    /// </remarks>
    private async Task<string> ChooseLaneAsync(string tenant, int deliveries, string eventLane)
    {
        string? lane;
        if (eventLane != TenantLanes.FastLane(FairnessStage.Events))
        {
            lane = TenantLanes.BulkLaneOf(FairnessStage.Deliveries, tenant);
        }
        else
        {
            // Without Redis the fan-out could not have read the registry either: this is a moment, not a mode, so the fast lane.
            var (ok, chosen) = await circuit.TryAsync(() => lanes.ChooseAsync(FairnessStage.Deliveries, tenant, deliveries));
            lane = ok ? chosen! : TenantLanes.FastLane(FairnessStage.Deliveries);
        }
        DispatcherTelemetry.FanOutDeliveries.Add(deliveries, DispatcherTelemetry.Tag("lane", lane == TenantLanes.FastLane(FairnessStage.Deliveries) ? "fast" : "bulk"));
        return lane;
    }

    /// <summary>The tenant's endpoints that subscribe to <paramref name="type"/>, disabled ones too.</summary>
    /// <summary>The endpoints the event is a delivery of: by its type, then by its content (their payload filters); the others get nothing, not even a record.</summary>
    private static List<EndpointSubscription> Matching(IReadOnlyList<EndpointSubscription> endpoints, StoredEvent stored) => [.. endpoints.Where(e => e.Takes(stored.Type, stored.Data))];

    /// <summary>A new delivery id for each endpoint (one it had already is kept by the claim).</summary>
    private static List<(string EndpointId, string DeliveryId)> NewDeliveries(IReadOnlyList<EndpointSubscription> endpoints) => [.. endpoints.Select(e => (e.Id, SortableId.New("dlv")))];

    /// <summary>
    /// The endpoints and their deliveries once this copy holds the claim (the endpoints read as they are then), waiting while
    /// another copy holds it; null when the event was fanned out meanwhile.
    /// </summary>
    private async Task<(List<EndpointSubscription> Endpoints, IReadOnlyList<(string Id, DeliveryRecord? Existing)> Records)?> ClaimAsync(StoredEvent stored, bool kept, CancellationToken cancellationToken)
    {
        var eventId = stored.Id;
        var lease = options.Value.FanOutLease;
        var deadline = DateTimeOffset.UtcNow + lease + lease;
        while (true)
        {
            var endpoints = Matching(await tenantEndpoints.ForTenantAsync(stored.Tenant), stored);
            var (claim, records) = await claims.ClaimAsync(stored, lease, kept, NewDeliveries(endpoints));
            switch (claim)
            {
                case FanOutClaim.Claimed:
                    return (endpoints, records);
                case FanOutClaim.AlreadyDone:
                    return null;
                case FanOutClaim.HeldElsewhere when DateTimeOffset.UtcNow > deadline:
                    throw new InvalidOperationException($"The fan-out of event {eventId} stayed claimed for longer than twice its lease.");
                default:
                    // Another copy is fanning it out right now; its claim ends in done, or expires if it died.
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                    break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} ({EventType}, tenant {Tenant}) fanned out to {Endpoints} endpoints")]
    private partial void LogFannedOut(string eventId, string eventType, string tenant, int endpoints);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fan-out of event {EventId} deferred: Redis is unreachable (DEGRADED)")]
    private partial void LogDeferred(Exception exception, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The first attempt of event {EventId} to endpoint {EndpointId} failed midway at fan-out; the delivery lane takes it over")]
    private partial void LogHandedOn(Exception exception, string eventId, string endpointId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} was already fanned out; this copy is skipped")]
    private partial void LogAlreadyFannedOut(string eventId);
}
