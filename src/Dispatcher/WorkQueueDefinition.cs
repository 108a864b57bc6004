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

    /// <summary>
    /// The consumer on each of <paramref name="lanes"/>, each lane with the whole concurrency (and
    /// the definition's prefetch and retries), so a lane without competition is as fast as the
    /// fast lane. Only the fast lane, first, binds the consumed message types.
    /// </summary>
    public static void ConfigureLanes(IBusRegistrationContext context, IRabbitMqBusFactoryConfigurator bus, IReadOnlyList<string> lanes, int concurrency)
    {
        foreach (var lane in lanes)
        {
            bus.ReceiveEndpoint(lane, endpoint =>
            {
                endpoint.ConfigureConsumeTopology = lane == lanes[0];
                endpoint.ConcurrentMessageLimit = concurrency;
                endpoint.ConfigureConsumer<TConsumer>(context);
            });
        }
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConfigureWorkQueue(_prefetch);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
    }
}
