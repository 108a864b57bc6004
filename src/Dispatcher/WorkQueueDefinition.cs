using MassTransit;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher;

/// <summary>
/// A consumer on one of the platform's pinned work queues: its concurrency and prefetch from
/// options, and a few quick retries for passing faults before a message goes to its _error queue.
/// </summary>
public abstract class WorkQueueDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly int _prefetch;

    protected WorkQueueDefinition(string queue, int concurrency, int prefetch)
    {
        EndpointName = queue;
        ConcurrentMessageLimit = concurrency;
        _prefetch = prefetch;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConfigureWorkQueue(_prefetch);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
    }
}
