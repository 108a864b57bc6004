using MassTransit;
using Webhooks.Contracts;
using Webhooks.Core.Events;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.DeadLetters;

/// <summary>Parks what will not be attempted again in the dead-letter queue, with its reason, and marks the delivery.</summary>
public sealed partial class DeadLetterQueue(EventStore store, Degraded.AttemptRecorder recorder, ILogger<DeadLetterQueue> logger)
{
    public async Task ParkAsync(ConsumeContext context, DeliveryDeadLettered deadLetter)
    {
        var endpoint = await context.GetSendEndpoint(BusTopology.DeadLetterAddress);
        await endpoint.Send(deadLetter, context.CancellationToken);
        if (deadLetter.Delivery is { } delivery)
        {
            await recorder.RecordAsync(() => store.MarkDeadLetteredAsync(delivery.EventId, delivery.EndpointId, delivery.DeliveryId, deadLetter.Reason));
        }
        Delivery.DeliveryMetrics.DeadLettered.Add(1, new KeyValuePair<string, object?>("reason", deadLetter.Reason));
        LogParked(deadLetter.EventId, deadLetter.Delivery?.EndpointId, deadLetter.Reason, deadLetter.Detail);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered event {EventId} for endpoint {EndpointId}: {Reason} ({Detail})")]
    private partial void LogParked(string eventId, string? endpointId, string reason, string detail);
}
