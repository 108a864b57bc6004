using MassTransit;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Events;
using Webhooks.Core.Topology;
using Webhooks.Dispatcher.Delivery;

namespace Webhooks.Dispatcher.DeadLetters;

/// <summary>Parks what will not be attempted again in the dead-letter queue, with its reason, and marks the delivery.</summary>
public sealed partial class DeadLetterSender(EventStore store, AttemptRecorder recorder, ILogger<DeadLetterSender> logger)
{
    public async Task ParkAsync(ConsumeContext context, DeliveryDeadLettered deadLetter)
    {
        var endpoint = await context.GetSendEndpoint(Queues.DeadLetterAddress);
        await endpoint.Send(deadLetter, context.CancellationToken);
        if (deadLetter.Delivery is { } delivery)
        {
            await recorder.RecordAsync(() => store.MarkDeadLetteredAsync(delivery.EventId, delivery.EndpointId, delivery.DeliveryId, deadLetter.Reason));
        }
        DispatcherTelemetry.DeadLettered.Add(1, DispatcherTelemetry.Tag("reason", deadLetter.Reason));
        LogParked(deadLetter.EventId, deadLetter.Delivery?.EndpointId, deadLetter.Reason, deadLetter.Detail);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered event {EventId} for endpoint {EndpointId}: {Reason} ({Detail})")]
    private partial void LogParked(string eventId, string? endpointId, string reason, string detail);
}
