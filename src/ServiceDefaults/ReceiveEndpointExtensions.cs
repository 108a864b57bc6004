using MassTransit;

namespace Webhooks.ServiceDefaults;

public static class ReceiveEndpointExtensions
{
    /// <summary>A quorum queue (as <see cref="BrokerTopology"/> declares it) with the given prefetch.</summary>
    public static void ConfigureQuorumEndpoint(this IReceiveEndpointConfigurator endpoint, int prefetch)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
            rabbit.PrefetchCount = prefetch;
        }
    }
}
