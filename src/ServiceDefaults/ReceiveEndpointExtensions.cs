using MassTransit;

namespace Webhooks.ServiceDefaults;

public static class ReceiveEndpointExtensions
{
    /// <summary>A work queue as <see cref="BrokerTopology"/> declares it (quorum, delivery limit, poison queue), with the given prefetch.</summary>
    public static void ConfigureWorkQueue(this IReceiveEndpointConfigurator endpoint, int prefetch)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
            foreach (var (key, value) in BusTopology.WorkQueueArguments)
            {
                rabbit.SetQueueArgument(key, value);
            }
            rabbit.PrefetchCount = prefetch;
        }
    }
}
