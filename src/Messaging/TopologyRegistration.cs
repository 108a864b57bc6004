using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Webhooks.Core.Topology;

public static class TopologyRegistration
{
    /// <summary>Declares the platform's queues, lanes and exchanges at start-up (before the bus, which relies on them).</summary>
    public static IHostApplicationBuilder AddBrokerTopology(this IHostApplicationBuilder builder)
    {
        // AddWebhooksBus refuses a missing or malformed connection string at start-up with a clear message.
        var configured = builder.Configuration.GetConnectionString("RabbitMq");
        builder.Services.AddOptions<TopologyOptions>().Configure(o => o.Broker = configured is null ? o.Broker : BrokerAddress.Parse(configured));
        builder.Services.AddSingleton<TopologyDeclaration>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TopologyDeclaration>());
        return builder;
    }
}
