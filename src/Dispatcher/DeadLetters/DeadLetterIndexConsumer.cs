using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Events;
using Webhooks.Core.Operational;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.Retries;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.DeadLetters;

/// <summary>
/// Indexes each dead letter into Redis, where the API can list, filter, redrive and purge it. While
/// Redis is away the dead letter waits in a delay queue and comes back, as many times as it takes:
/// it never ends in <c>_error</c>, out of the API's sight.
/// </summary>
public sealed partial class DeadLetterIndexConsumer(DeadLetterIndex index, DeliveryStore deliveries, SecretProtector protector, RedisCircuit circuit, TopologyDeclaration topology, IOptions<RetryOptions> retries,
    IOptions<BrokerOptions> broker, ILogger<DeadLetterIndexConsumer> logger) : IConsumer<DeliveryDeadLettered>
{
    public async Task Consume(ConsumeContext<DeliveryDeadLettered> context)
    {
        // The id comes from the message id, kept by a redelivery and by the deferral, so the dead letter is indexed once.
        var messageId = context.MessageId ?? NewId.NextGuid();
        var deadLetter = DeadLetter.From(SortableId.FromGuid("dl", messageId), context.Message);
        var (indexed, dropped) = await circuit.TryAsync(() => IndexAsync(deadLetter));
        if (indexed && dropped < 0)
        {
            // Resent, redriven or recovered before it was indexed: its delivery is on a newer chain now.
            LogStale(deadLetter.Id, deadLetter.EventId, deadLetter.EndpointId);
            return;
        }
        if (indexed)
        {
            // Never about an operational event itself: a subscriber of them that fails would otherwise feed itself.
            if (!OperationalEvents.IsOperational(deadLetter.EventType ?? ""))
            {
                await context.PublishSealedAsync(protector, OperationalEvents.Create(deadLetter.Tenant, OperationalEvents.DeliveryDeadLettered,
                    new { DeadLetterId = deadLetter.Id, deadLetter.EventId, deadLetter.EventType, deadLetter.EndpointId, deadLetter.Reason, deadLetter.Detail }, deadLetter.DeadLetteredAt)).Confirmed(broker.Value);
            }
            if (dropped > 0)
            {
                DispatcherTelemetry.DeadLettersDropped.Add(dropped);
                LogDropped(dropped, deadLetter.Tenant);
            }
            return;
        }
        var deferral = retries.Value.RedisAwayWait;
        LogDeferred(deadLetter.Id, deferral.TotalSeconds);
        // Only dispatchers declare the retry queue: never send before it exists, or the broker would drop the dead letter.
        await topology.Declared.WaitAsync(context.CancellationToken);
        var retry = await context.GetSendEndpoint(Queues.Address(Queues.DeadLetterRetry(deferral)));
        await retry.Send(context.Message, send => send.MessageId = messageId, context.CancellationToken).Confirmed(broker.Value);
    }

    /// <summary>Indexes the dead letter unless its delivery went on in another chain meanwhile (-1); else how many old ones the quota dropped.</summary>
    private async Task<int> IndexAsync(DeadLetter deadLetter)
    {
        if (deadLetter.Delivery is { } delivery && await deliveries.GetAsync(delivery.EventId, delivery.EndpointId) is { } record && !record.IsChain(delivery.Chain))
        {
            return -1;
        }
        return await index.AddAsync(deadLetter);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead letter {DeadLetterId} of event {EventId} for endpoint {EndpointId} not indexed: its delivery was sent again before")]
    private partial void LogStale(string deadLetterId, string eventId, string? endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant} is over its dead-letter quota: its {Count} oldest dead letters were forgotten")]
    private partial void LogDropped(int count, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {DeadLetterId} not indexed: Redis is away; it comes back in {Seconds} s")]
    private partial void LogDeferred(string deadLetterId, double seconds);
}
