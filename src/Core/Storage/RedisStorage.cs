using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.Fairness;
using Webhooks.Core.Signing;

namespace Webhooks.Core.Storage;

/// <summary>The installation's Redis database, every key under <see cref="StorageOptions.KeyPrefix"/>.</summary>
public sealed class RedisStorage(IConnectionMultiplexer connection, IOptions<StorageOptions> options)
{
    public IDatabase Database { get; } = connection.GetDatabase().WithKeyPrefix(options.Value.KeyPrefix);
}

public static class RedisStorageRegistration
{
    /// <summary>Redis from <c>ConnectionStrings:Redis</c>, and the stores on top of it.</summary>
    public static IHostApplicationBuilder AddRedisStorage(this IHostApplicationBuilder builder)
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
        builder.Services.AddOptions<SecretEncryptionOptions>().BindConfiguration(SecretEncryptionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SecretProtector>();
        builder.Services.AddSingleton<EndpointRegistry>();
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddOptions<DeadLetterOptions>().BindConfiguration(DeadLetterOptions.Section);
        builder.Services.AddSingleton<DeadLetterIndex>();
        builder.Services.AddOptions<FairnessOptions>().BindConfiguration(FairnessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TenantAllowance>();
        return builder;
    }
}
