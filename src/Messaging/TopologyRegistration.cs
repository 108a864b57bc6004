using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Webhooks.Messaging;

public static class TopologyRegistration
{
    /// <summary>Declares the platform's queues, lanes and exchanges at start-up (before the bus, which relies on them).</summary>
    public static IHostApplicationBuilder AddBrokerTopology(this IHostApplicationBuilder builder)
    {
        // On the broker AddWebhooksBus parsed and registered (BrokerAddress).
        builder.Services.AddOptions<TopologyOptions>();
        builder.Services.AddSingleton<TenantLanes>();
        builder.Services.AddSingleton<TopologyDeclaration>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TopologyDeclaration>());
        return builder;
    }
}
