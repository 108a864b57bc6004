using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;

namespace Webhooks.Core.Storage;

/// <summary>The installation's Redis database, every key under <see cref="StorageOptions.KeyPrefix"/>.</summary>
public sealed class RedisStorage(IConnectionMultiplexer connection, IOptions<StorageOptions> options)
{
    public IDatabase Database { get; } = connection.GetDatabase().WithKeyPrefix(options.Value.KeyPrefix);
}
