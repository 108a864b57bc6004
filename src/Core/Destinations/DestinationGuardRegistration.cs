using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Webhooks.Core.Destinations;

public static class DestinationGuardRegistration
{
    /// <summary>The guard and its allow-list (section <c>Webhooks:Destinations</c>), validated at start.</summary>
    public static IHostApplicationBuilder AddDestinationGuard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DestinationOptions>().BindConfiguration(DestinationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DestinationGuard>();
        builder.Services.AddSingleton<IDestinationResolver, DnsDestinationResolver>();
        return builder;
    }
}
