using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Events;
using Webhooks.Dispatcher.Deliveries;
using Microsoft.Extensions.Options;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.DeadLetters;

/// <summary>
/// Sends what will not be attempted again to the dead-letter queue, with its reason, and marks the delivery —
/// only while the delivery's chain is the live one: a chain that a resend, redrive or recover replaced ends
/// without a dead letter, so a delivery has one dead letter at most.
/// </summary>
public sealed partial class DeadLetterSender(DeliveryStore deliveries, AttemptRecorder recorder, IOptions<BrokerOptions> broker, ILogger<DeadLetterSender> logger)
{
    public async Task SendAsync(ConsumeContext context, DeliveryDeadLettered deadLetter)
    {
        // One id per (delivery, chain, attempt): a message dead-lettered twice (redelivered after a crash) is indexed once.
        var messageId = deadLetter.Delivery is { } d ? IdOf($"{d.DeliveryId}.{d.Chain}.{d.Number}") : NewId.NextGuid();
        if (deadLetter.Delivery is { } delivery)
        {
            // Marked first: the index keeps only a dead letter of the chain its delivery is on.
            var live = await recorder.RecordAsync(() => deliveries.MarkDeadLetteredAsync(delivery.EventId, delivery.EndpointId, delivery.DeliveryId, delivery.Chain, deadLetter.Reason,
                SortableId.FromGuid("dl", messageId)));
            if (!live)
            {
                LogSuperseded(deadLetter.EventId, delivery.EndpointId);
                return;
            }
        }
        var endpoint = await context.GetSendEndpoint(Queues.DeadLetterAddress);
        await endpoint.Send(deadLetter, send => send.MessageId = messageId, context.CancellationToken).Confirmed(broker.Value);
        DispatcherTelemetry.DeadLettered.Add(1, DispatcherTelemetry.Tag("reason", deadLetter.Reason));
        LogDeadLettered(deadLetter.EventId, deadLetter.Delivery?.EndpointId, deadLetter.Reason, deadLetter.Detail);
    }

    private static Guid IdOf(string key) => new(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered event {EventId} for endpoint {EndpointId}: {Reason} ({Detail})")]
    private partial void LogDeadLettered(string eventId, string? endpointId, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} for endpoint {EndpointId} not dead-lettered: a resend, redrive or recover replaced this chain")]
    private partial void LogSuperseded(string eventId, string endpointId);
}
