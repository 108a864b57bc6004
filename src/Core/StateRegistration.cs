using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.Fairness;
using Webhooks.Core.Quotas;
using Webhooks.Core.SecretsAtRest;

namespace Webhooks.Core.Storage;

public static class StorageRegistration
{
    /// <summary>Redis from <c>ConnectionStrings:Redis</c>, and the stores on top of it: endpoints (with their secrets), events and deliveries, dead letters, tenant allowances.</summary>
    public static IHostApplicationBuilder AddWebhooksStorage(this IHostApplicationBuilder builder)
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
        builder.Services.AddOptions<SecretEncryptionOptions>().BindConfiguration(SecretEncryptionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SecretEncryptionOptions>, RefusePublishedSecretsKey>();
        builder.Services.AddSingleton<SecretProtector>();
        builder.Services.AddSingleton<EndpointSecrets>();
        builder.Services.AddSingleton<EndpointRegistry>();
        builder.Services.AddSingleton<EndpointKeyRing>();
        builder.Services.AddSingleton<EndpointDeletion>();
        builder.Services.AddSingleton<FailureStreaks>();
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddSingleton<FanOutClaims>();
        builder.Services.AddSingleton<TenantEvents>();
        builder.Services.AddSingleton<Deliveries.DeliveryStore>();
        builder.Services.AddSingleton<Deliveries.AttemptLogs>();
        builder.Services.AddSingleton<Deliveries.AttemptRecording>();
        builder.Services.AddSingleton<EndpointStats>();
        builder.Services.AddOptions<DeadLetterOptions>().BindConfiguration(DeadLetterOptions.Section);
        builder.Services.AddSingleton<DeadLetterIndex>();
        builder.Services.AddHostedService<DeadLetterShardsMigration>();
        builder.Services.AddOptions<FairnessOptions>().BindConfiguration(FairnessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TenantAllowance>();
        builder.Services.AddSingleton<TenantLanes>();
        builder.Services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TenantQuotaStore>();
        return builder;
    }
}
