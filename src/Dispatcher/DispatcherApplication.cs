using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Destinations;
using Webhooks.Core.Fairness;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Core.Storage;
using Webhooks.Dispatcher.Admission;
using Webhooks.Dispatcher.DeadLetters;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.Deliveries;
using Webhooks.Dispatcher.Endpoints;
using Webhooks.Dispatcher.FanOut;
using Webhooks.Dispatcher.QueueDepths;
using Webhooks.Dispatcher.RateLimiting;
using Webhooks.Dispatcher.Retries;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher;

/// <summary>The Dispatcher host: fan-out, delivery and the dead-letter index, on every lane.</summary>
public static class DispatcherApplication
{
    public static IHostApplicationBuilder AddDispatcher(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults(DispatcherTelemetry.SourceName);
        builder.AddWebhooksState();
        builder.AddBrokerTopology();
        builder.AddDestinationGuard();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<DispatcherOptions>().BindConfiguration(DispatcherOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // A stopping dispatcher finishes the requests in flight: allow longer than the longest endpoint timeout.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(75));
        builder.Services.Configure<MassTransitHostOptions>(o => o.StopTimeout = TimeSpan.FromSeconds(70));

        AddDegradedMode(builder.Services);
        AddAdmission(builder.Services);
        AddRetries(builder.Services);
        AddDelivery(builder);
        AddQueueSampling(builder.Services);
        builder.AddWebhooksBus(x =>
        {
            // Fan-out and delivery run on every lane, configured below rather than by convention.
            x.AddConsumer<FanOutConsumer, FanOutConsumerDefinition>().ExcludeFromConfigureEndpoints();
            x.AddConsumer<DeliverWebhookConsumer, DeliverWebhookConsumerDefinition>().ExcludeFromConfigureEndpoints();
            x.AddConsumer<DeadLetterIndexConsumer, DeadLetterIndexConsumerDefinition>();
        }, (context, bus) =>
        {
            bus.SendAsPlainJson<EventPublished>();
            bus.SendAsPlainJson<DeliverWebhook>();
            bus.SendAsPlainJson<DeliveryDeadLettered>();
            var options = context.GetRequiredService<IOptions<DispatcherOptions>>().Value;
            WorkQueueDefinition<FanOutConsumer>.ConfigureLanes(context, bus, TenantLanes.Of(FairnessStage.Events), options.FanOutConcurrency);
            WorkQueueDefinition<DeliverWebhookConsumer>.ConfigureLanes(context, bus, TenantLanes.Of(FairnessStage.Deliveries), options.DeliveryConcurrency);
        });
        return builder;
    }

    public static WebApplication MapDispatcher(this WebApplication app)
    {
        var circuit = app.Services.GetRequiredService<RedisCircuit>();
        var recorder = app.Services.GetRequiredService<AttemptRecorder>();
        var observed = DispatcherTelemetry.Observe(new DispatcherTelemetry.Observed(app.Services.GetRequiredService<QueueSampler>(), app.Services.GetRequiredService<FailingEndpoints>(),
            () => recorder.Buffered, () => circuit.IsDegraded));
        app.Lifetime.ApplicationStopped.Register(observed.Dispose);
        app.MapDefaultEndpoints();
        // Once the metrics pipeline listens: counters then show 0 rather than nothing.
        app.Lifetime.ApplicationStarted.Register(DispatcherTelemetry.StartAtZero);
        return app;
    }

    /// <summary>While Redis is away: the circuit that says so, cached endpoints, buffered attempt records.</summary>
    private static void AddDegradedMode(IServiceCollection services)
    {
        services.AddSingleton<RedisCircuit>();
        services.AddSingleton<EndpointCache>();
        services.AddSingleton<AttemptRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<AttemptRecorder>());
    }

    /// <summary>Whether a delivery may go now: due time, endpoint state, in-flight cap, rate limit.</summary>
    private static void AddAdmission(IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EndpointRateLimiter>();
        services.AddSingleton<InFlightLimiter>();
        services.AddSingleton<AdmissionPolicy>();
        services.AddSingleton<DeliveryAdmission>();
        // A delivery whose endpoint secret cannot be read is refused; say at start-up which keys that would take.
        services.AddHostedService<KeyRingCheck>();
    }

    /// <summary>What a failed attempt leads to, and the delay ladder that holds a delivery until it is due.</summary>
    private static void AddRetries(IServiceCollection services)
    {
        services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DelayTierOptions>().BindConfiguration(DelayTierOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RetryPolicy>();
        services.AddSingleton<DelayLadder>();
        // The delay tiers and the fan-out retry queue are declared with the rest of the topology, before the bus starts.
        services.AddOptions<TopologyOptions>().Configure<DelayLadder, IOptions<RetryOptions>>((topology, ladder, retries) =>
        {
            topology.DelayTiers.AddRange(ladder.Tiers);
            topology.RedisAwayWait = retries.Value.RedisAwayWait;
        });
    }

    /// <summary>Every queue's depth and consumers from the broker, and when the last message taken from each lane had entered it.</summary>
    private static void AddQueueSampling(IServiceCollection services)
    {
        services.AddSingleton<LaneEntries>();
        services.AddSingleton<IConsumeObserver>(sp => sp.GetRequiredService<LaneEntries>());
        services.AddSingleton<QueueSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<QueueSampler>());
    }

    /// <summary>The attempt itself, the endpoint's health, and dead letters.</summary>
    private static void AddDelivery(IHostApplicationBuilder builder)
    {
        builder.AddWebhookSender();
        builder.Services.AddSingleton<EndpointHealth>();
        builder.Services.AddSingleton<FailingEndpoints>();
        builder.Services.AddSingleton<SlowEndpoints>();
        builder.Services.AddSingleton<FanOutCapacity>();
        builder.Services.AddSingleton<DeliveryTurn>();
        builder.Services.AddSingleton<TenantEndpoints>();
        builder.Services.AddSingleton<DeadLetterSender>();
    }
}
