using Microsoft.Extensions.Options;
using Webhooks.Core.Fairness;
using Webhooks.Dispatcher.Retries;

namespace Webhooks.Dispatcher.FanOut;

public sealed class FanOutConsumerDefinition(IOptions<DispatcherOptions> options, IOptions<RetryOptions> retries)
    : WorkQueueDefinition<FanOutConsumer>(TenantLanes.FastLane(FairnessStage.Events), options.Value.FanOutConcurrency, options.Value.FanOutPrefetch, retries.Value.FaultRetryWaits);
