using Microsoft.Extensions.Options;
using Webhooks.Core.Fairness;
using Webhooks.Dispatcher.DeadLetters;
using Webhooks.Dispatcher.Deliveries;
using Webhooks.Dispatcher.FanOut;
using Webhooks.Dispatcher.Retries;
using Webhooks.Messaging;

namespace Webhooks.Dispatcher;

// The queue each consumer reads, with its concurrency, prefetch and fault retries (WorkQueueDefinition, in Messaging);
// fan-out and delivery read every lane of their stage besides (DispatcherApplication).

public sealed class FanOutConsumerDefinition(IOptions<DispatcherOptions> options, IOptions<RetryOptions> retries)
    : WorkQueueDefinition<FanOutConsumer>(TenantLanes.FastLane(FairnessStage.Events), options.Value.FanOutConcurrency, options.Value.FanOutPrefetch, retries.Value.FaultRetryWaits);

public sealed class DeliverWebhookConsumerDefinition(IOptions<DispatcherOptions> options, IOptions<RetryOptions> retries)
    : WorkQueueDefinition<DeliverWebhookConsumer>(TenantLanes.FastLane(FairnessStage.Deliveries), options.Value.DeliveryConcurrency, options.Value.DeliveryPrefetch, retries.Value.FaultRetryWaits);

public sealed class DeadLetterIndexConsumerDefinition(IOptions<DispatcherOptions> options, IOptions<RetryOptions> retries)
    : WorkQueueDefinition<DeadLetterIndexConsumer>(Queues.DeadLetter, options.Value.FanOutConcurrency, options.Value.FanOutPrefetch, retries.Value.FaultRetryWaits);
