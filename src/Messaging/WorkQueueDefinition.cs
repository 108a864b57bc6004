using MassTransit;

namespace Webhooks.Messaging;

/// <summary>
/// A consumer on one of the platform's pinned work queues: its concurrency and prefetch from
/// options, and quick retries for passing faults (<c>Webhooks:Retries:FaultRetries</c>) before a message goes to its _error queue.
/// </summary>
public abstract class WorkQueueDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly int _prefetch;
    private readonly TimeSpan[] _faultRetries;

    protected WorkQueueDefinition(string queue, int concurrency, int prefetch, IReadOnlyList<TimeSpan> faultRetries)
    {
        EndpointName = queue;
        ConcurrentMessageLimit = concurrency;
        _prefetch = prefetch;
        _faultRetries = [.. faultRetries];
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
        // A work queue as TopologyDeclaration declares it (quorum, delivery limit, poison queue).
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
            foreach (var (key, value) in Queues.WorkQueueArguments)
            {
                rabbit.SetQueueArgument(key, value);
            }
            rabbit.PrefetchCount = _prefetch;
        }
        endpointConfigurator.UseMessageRetry(r => r.Intervals(_faultRetries));
    }
}
