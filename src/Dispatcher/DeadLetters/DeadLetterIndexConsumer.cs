using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Operational;
using Webhooks.Core.Topology;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.Retries;

namespace Webhooks.Dispatcher.DeadLetters;

/// <summary>
/// Indexes each dead letter into Redis, where the API can list, filter, redrive and purge it. While
/// Redis is away the dead letter waits in a delay queue and comes back, as many times as it takes:
/// it never ends in <c>_error</c>, out of the API's sight.
/// </summary>
public sealed partial class DeadLetterIndexConsumer(DeadLetterIndex index, RedisCircuit circuit, TopologyDeclaration topology, IOptions<RetryOptions> retries,
    ILogger<DeadLetterIndexConsumer> logger) : IConsumer<DeliveryDeadLettered>
{
    public async Task Consume(ConsumeContext<DeliveryDeadLettered> context)
    {
        // The id comes from the message id, kept by a redelivery and by the deferral, so the dead letter is indexed once.
        var messageId = context.MessageId ?? NewId.NextGuid();
        var deadLetter = DeadLetter.From(SortableId.FromGuid("dl", messageId), context.Message);
        var (indexed, dropped) = await circuit.TryAsync(() => index.AddAsync(deadLetter));
        if (indexed)
        {
            // Never about an operational event itself: a subscriber of them that fails would otherwise feed itself.
            if (!OperationalEvents.IsOperational(deadLetter.EventType ?? ""))
            {
                await context.Publish(OperationalEvents.Create(deadLetter.Tenant, OperationalEvents.DeliveryDeadLettered,
                    new { DeadLetterId = deadLetter.Id, deadLetter.EventId, deadLetter.EventType, deadLetter.EndpointId, deadLetter.Reason, deadLetter.Detail }, deadLetter.DeadLetteredAt));
            }
            if (dropped > 0)
            {
                DispatcherTelemetry.DeadLettersDropped.Add(dropped);
                LogDropped(dropped, deadLetter.Tenant);
            }
            return;
        }
        var deferral = retries.Value.FanOutDeferral;
        LogDeferred(deadLetter.Id, deferral.TotalSeconds);
        // Only dispatchers declare the retry queue: never send before it exists, or the broker would drop the dead letter.
        await topology.Declared.WaitAsync(context.CancellationToken);
        var retry = await context.GetSendEndpoint(Queues.Address(Queues.DeadLetterRetry(deferral)));
        await retry.Send(context.Message, send => send.MessageId = messageId, context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant} is over its dead-letter quota: its {Count} oldest dead letters were forgotten")]
    private partial void LogDropped(int count, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {DeadLetterId} not indexed: Redis is away; it comes back in {Seconds} s")]
    private partial void LogDeferred(string deadLetterId, double seconds);
}
