using System.Text.Json;
using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.QueueDepths;

/// <summary>
/// The dispatchers' last sample of the broker's queues — the one their queue gauges export — kept in Redis
/// for the API (<c>GET /v1/queues</c>) and the SRE console, which hold no broker connection of their own
/// to ask. Written by every dispatcher after each sample (the latest wins: they sample the same broker);
/// expires when no dispatcher samples any more, rather than showing an old picture as today's.
/// </summary>
public sealed class QueueSnapshots(RedisStorage redis)
{
    private readonly IDatabase _db = redis.Database;

    public Task WriteAsync(QueueSnapshot snapshot, TimeSpan keptFor) =>
        _db.StringSetAsync(RedisKeys.Global.QueueSnapshot, JsonSerializer.Serialize(snapshot, WebhooksJson.Options), keptFor);

    public async Task<QueueSnapshot?> ReadAsync()
    {
        var value = await _db.StringGetAsync(RedisKeys.Global.QueueSnapshot);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<QueueSnapshot>((string)value!, WebhooksJson.Options);
    }
}

/// <summary>Every queue the platform declares, as one dispatcher sampled them at <see cref="SampledAt"/>.</summary>
public sealed record QueueSnapshot(DateTimeOffset SampledAt, string SampledBy, IReadOnlyList<QueueDepth> Queues);

/// <summary>
/// A queue: its kind (fan-out, lane, tier, error…), its ready messages and consumers, and for a lane at most how
/// long its oldest message has waited (the <c>webhooks.queue.oldest_age</c> gauge).
/// </summary>
public sealed record QueueDepth(string Queue, string Kind, long Messages, long Consumers, double? OldestAgeSeconds);
