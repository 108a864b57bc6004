using MassTransit;
using Microsoft.Extensions.Options;
using System.Diagnostics;
using Webhooks.Core.Destinations;
using Webhooks.Dispatcher.DeadLetters;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.RateLimiting;
using Webhooks.Dispatcher.Delivery;
using Webhooks.Dispatcher.FanOut;
using Webhooks.Dispatcher.Fairness;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher;

public static class DispatcherApplication
{
    public const string SourceName = "Webhooks.Dispatcher";

    public static readonly ActivitySource Activities = new(SourceName);

    public static IHostApplicationBuilder AddDispatcher(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults(SourceName);
        builder.Services.AddOptions<DispatcherOptions>().BindConfiguration(DispatcherOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddDestinationGuard();
        builder.AddWebhookSender();
        // A stopping dispatcher finishes the requests in flight: allow longer than the longest endpoint timeout.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(75));
        builder.Services.Configure<MassTransitHostOptions>(o => o.StopTimeout = TimeSpan.FromSeconds(70));
        builder.Services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DelayTierOptions>().BindConfiguration(DelayTierOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RetrySchedule>();
        builder.Services.AddSingleton<DelayLadder>();
        builder.Services.AddSingleton<DeadLetterQueue>();
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RedisCircuit>();
        builder.Services.AddSingleton<EndpointCache>();
        builder.Services.AddSingleton<EndpointRateLimiter>();
        builder.Services.AddSingleton<InFlightLimiter>();
        builder.Services.AddSingleton<AttemptRecorder>();
        builder.Services.AddSingleton<TenantLanes>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AttemptRecorder>());
        // The delay tiers are declared with the rest of the topology, before the bus starts.
        builder.Services.AddOptions<BusOptions>().Configure<DelayLadder>((bus, ladder) => bus.DelayTiers.AddRange(ladder.Tiers));
        builder.AddWebhooksBus(x =>
        {
            // Fan-out and delivery run on every lane, configured below rather than by convention.
            x.AddConsumer<FanOutConsumer, FanOutConsumerDefinition>().ExcludeFromConfigureEndpoints();
            x.AddConsumer<DeliverWebhookConsumer, DeliverWebhookConsumerDefinition>().ExcludeFromConfigureEndpoints();
            x.AddConsumer<DeadLetterIndexConsumer, DeadLetterIndexConsumerDefinition>();
        }, (context, bus) =>
        {
            var options = context.GetRequiredService<IOptions<DispatcherOptions>>().Value;
            WorkQueueDefinition<FanOutConsumer>.ConfigureLanes(context, bus, BusTopology.FanOutLanes, options.FanOutConcurrency);
            WorkQueueDefinition<DeliverWebhookConsumer>.ConfigureLanes(context, bus, BusTopology.DeliveryLanes, options.DeliveryConcurrency);
        });
        return builder;
    }

    public static WebApplication MapDispatcher(this WebApplication app)
    {
        app.Services.GetRequiredService<RedisCircuit>().RegisterGauge();
        app.MapDefaultEndpoints();
        return app;
    }
}
