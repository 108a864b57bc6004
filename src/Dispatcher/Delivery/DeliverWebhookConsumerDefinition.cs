using Microsoft.Extensions.Options;
using Webhooks.Core.Fairness;
using Webhooks.Dispatcher.Retries;

namespace Webhooks.Dispatcher.Delivery;

public sealed class DeliverWebhookConsumerDefinition(IOptions<DispatcherOptions> options, IOptions<RetryOptions> retries)
    : WorkQueueDefinition<DeliverWebhookConsumer>(TenantLanes.FastLane(FairnessStage.Deliveries), options.Value.DeliveryConcurrency, options.Value.DeliveryPrefetch, retries.Value.FaultRetryWaits);
