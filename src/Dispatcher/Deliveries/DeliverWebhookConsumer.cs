using MassTransit;
using Webhooks.Contracts;

namespace Webhooks.Dispatcher.Deliveries;

/// <summary>A delivery from the lanes (or back from the delay tiers) takes its turn.</summary>
public sealed class DeliverWebhookConsumer(DeliveryTurn turn) : IConsumer<DeliverWebhook>
{
    public Task Consume(ConsumeContext<DeliverWebhook> context) => turn.TakeAsync(context, context.Message);
}
