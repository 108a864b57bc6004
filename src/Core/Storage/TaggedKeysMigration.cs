using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Webhooks.Core.Storage;

/// <summary>
/// Renames the keys of an installation from before hash tags (<c>endpoint:ep_1:attempts</c> becomes
/// <c>endpoint:{ep_1}:attempts</c>, see <see cref="RedisKeys"/>) once per Redis, at the start of any
/// host and before its bus starts, so that no delivery looks for an endpoint under a name it does not
/// have yet. A marker key says it is done; a key renamed meanwhile by another host is skipped. Run it
/// on the single Redis the old keys are on, before moving to a Redis Cluster (renames cross slots).
/// </summary>
public sealed partial class TaggedKeysMigration(IConnectionMultiplexer connection, IOptions<StorageOptions> options, ILogger<TaggedKeysMigration> logger) : IHostedService
{
    private const string Marker = RedisKeys.Global.TaggedKeysMigrated;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var prefix = options.Value.KeyPrefix;
        var db = connection.GetDatabase();
        try
        {
            if (await db.KeyExistsAsync(prefix + Marker))
            {
                return;
            }
            var renamed = 0;
            foreach (var server in connection.GetServers().Where(s => !s.IsReplica))
            {
                foreach (var kind in RedisKeys.BeforeTags.Kinds)
                {
                    await foreach (var key in server.KeysAsync(pattern: prefix + RedisKeys.BeforeTags.Pattern(kind), pageSize: 1000).WithCancellation(cancellationToken))
                    {
                        renamed += await RenameAsync(db, key, prefix) ? 1 : 0;
                    }
                }
            }
            await db.StringSetAsync(prefix + Marker, DateTimeOffset.UtcNow.ToString("o"));
            if (renamed > 0)
            {
                LogRenamed(renamed);
            }
        }
        catch (Exception e) when (e is RedisException or RedisCommandException)
        {
            LogNotMigrated(e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The tagged name of a key from before tags, or null for one that needs none (or cannot be placed).</summary>
    public static string? TaggedName(string name, Func<string?> eventOfDelivery)
    {
        if (name.Contains('{'))
        {
            return null;
        }
        var parts = name.Split(':', 3);
        if (parts.Length < 2 || parts[1].Length == 0)
        {
            return null;
        }
        var rest = parts.Length == 3 ? parts[2] : null;
        return parts[0] switch
        {
            "endpoint" or "event" => RedisKeys.Tagged(parts[0], parts[1], rest),
            "tenant" when rest is not null => RedisKeys.Tagged("tenant", parts[1], rest),
            // delivery:{id}:attempts now lives with its event, named in its entries.
            "delivery" when rest == "attempts" && eventOfDelivery() is { } eventId => RedisKeys.Delivery.Attempts(eventId, parts[1]),
            _ => null,
        };
    }

    private static async Task<bool> RenameAsync(IDatabase db, RedisKey key, string prefix)
    {
        var name = ((string)key!)[prefix.Length..];
        string? eventId = null;
        if (RedisKeys.BeforeTags.IsDeliveryAttempts(name))
        {
            var newest = await db.ListGetByIndexAsync(key, 0);
            eventId = newest.IsNullOrEmpty ? null : System.Text.Json.JsonDocument.Parse((string)newest!).RootElement.TryGetProperty("eventId", out var id) ? id.GetString() : null;
        }
        if (TaggedName(name, () => eventId) is not { } tagged)
        {
            return false;
        }
        try
        {
            if (await db.KeyRenameAsync(key, prefix + tagged, When.NotExists))
            {
                return true;
            }
            // Written anew under its tagged name since: that one is the newer.
            await db.KeyDeleteAsync(key);
        }
        catch (RedisServerException e) when (e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            // Renamed by another host meanwhile.
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Renamed {Count} Redis keys to their hash-tagged names (once per installation)")]
    private partial void LogRenamed(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis keys from before hash tags not renamed (is Redis reachable? on a Redis Cluster, rename them on the single node first); trying again at the next start")]
    private partial void LogNotMigrated(Exception exception);
}
