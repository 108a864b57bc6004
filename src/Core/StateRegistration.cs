using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.EventTypes;
using Webhooks.Core.Fairness;
using Webhooks.Core.Quotas;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Core.Storage;

namespace Webhooks.Core;

public static class StateRegistration
{
    /// <summary>
    /// Redis from <c>ConnectionStrings:Redis</c>, and each owner's store on it (docs/architecture.md, "State by owner"):
    /// endpoints and their secrets, events, deliveries, dead letters, tenants' allowances and quotas, the event-type catalog,
    /// the dispatchers' queue sample.
    /// </summary>
    public static IHostApplicationBuilder AddWebhooksState(this IHostApplicationBuilder builder)
    {
        AddRedis(builder);
        AddEndpoints(builder.Services);
        AddEventsAndDeliveries(builder.Services);
        AddDeadLetters(builder.Services);
        AddTenantLimits(builder.Services);
        AddCatalog(builder.Services);
        // What the dispatchers sampled of the broker's queues, for the API (written by them, read by Ingest).
        builder.Services.AddSingleton<QueueDepths.QueueSnapshots>();
        return builder;
    }

    private static void AddRedis(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var configuration = builder.Configuration.GetConnectionString("Redis")
                ?? throw new InvalidOperationException("ConnectionStrings:Redis is not set (for example 127.0.0.1:6379).");
            var redis = ConfigurationOptions.Parse(configuration);
            // Start and keep reconnecting while Redis is away, instead of failing start-up.
            redis.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(redis);
        });
        builder.Services.AddSingleton<RedisStorage>();
        // Before the bus: keys from before hash tags are renamed first (a no-op once done).
        builder.Services.AddHostedService<TaggedKeysMigration>();
    }

    /// <summary>Endpoints, their versions and read models; their secrets and header values encrypted at rest; runs of failures.</summary>
    private static void AddEndpoints(IServiceCollection services)
    {
        services.AddOptions<SecretEncryptionOptions>().BindConfiguration(SecretEncryptionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecretEncryptionOptions>, RefusePublishedSecretsKey>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<EndpointSecrets>();
        services.AddSingleton<EndpointRegistry>();
        services.AddSingleton<EndpointKeyRing>();
        services.AddSingleton<EndpointDeletion>();
        services.AddSingleton<FailureStreaks>();
        services.AddSingleton<EndpointStats>();
    }

    /// <summary>Events and their tenant index, fan-out claims, delivery records, attempt logs, and recording an attempt across them.</summary>
    private static void AddEventsAndDeliveries(IServiceCollection services)
    {
        services.AddSingleton<EventStore>();
        services.AddSingleton<FanOutClaims>();
        services.AddSingleton<TenantEvents>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<AttemptLogs>();
        services.AddSingleton<AttemptRecording>();
    }

    private static void AddDeadLetters(IServiceCollection services)
    {
        services.AddOptions<DeadLetterOptions>().BindConfiguration(DeadLetterOptions.Section);
        services.AddSingleton<DeadLetterIndex>();
        services.AddHostedService<DeadLetterShardsMigration>();
    }

    /// <summary>The event-type catalog, and each host's compiled copy of it.</summary>
    private static void AddCatalog(IServiceCollection services)
    {
        services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EventTypeCatalog>();
    }

    /// <summary>What a tenant may do: its fast-lane allowance (fairness) and its quotas.</summary>
    private static void AddTenantLimits(IServiceCollection services)
    {
        services.AddOptions<FairnessOptions>().BindConfiguration(FairnessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TenantAllowance>();
        services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TenantQuotaStore>();
    }
}
