using Microsoft.Extensions.Options;
using Webhooks.Core.Topology;
using Webhooks.Dispatcher.Retries;

namespace Webhooks.Dispatcher.DeadLetters;

public sealed class DeadLetterIndexConsumerDefinition(IOptions<DispatcherOptions> options, IOptions<RetryOptions> retries)
    : WorkQueueDefinition<DeadLetterIndexConsumer>(Queues.DeadLetter, options.Value.FanOutConcurrency, options.Value.FanOutPrefetch, retries.Value.FaultRetryWaits);
