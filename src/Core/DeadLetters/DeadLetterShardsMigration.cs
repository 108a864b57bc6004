using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.DeadLetters;

/// <summary>
/// Moves the dead-letter indexes of an installation from before shards (<c>deadletters</c>,
/// <c>deadletters:reason:…</c>) into their shards (<see cref="DeadLetterIndex.Shards"/>) once, at the
/// start of any host: until then those dead letters would be missing from unfiltered and by-reason lists.
/// </summary>
public sealed partial class DeadLetterShardsMigration(DeadLetterIndex index, ILogger<DeadLetterShardsMigration> logger) : IHostedService
{
    private const string Marker = RedisKeys.Global.DeadLetterShardsMigrated;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await index.MoveUnshardedAsync(Marker) is var moved and > 0)
            {
                LogMoved(moved);
            }
        }
        catch (Exception e) when (e is RedisException or RedisCommandException)
        {
            LogNotMoved(e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved {Count} dead-letter index entries into their shards (once per installation)")]
    private partial void LogMoved(long count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dead-letter index entries from before shards not moved (is Redis reachable?); trying again at the next start")]
    private partial void LogNotMoved(Exception exception);
}
