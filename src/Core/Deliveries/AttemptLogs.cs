using System.Text.Json;
using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Deliveries;

/// <summary>
/// The attempts logs, read: each delivery's (with its event) and each endpoint's, both newest first and bounded
/// (written by <see cref="AttemptRecording"/>).
/// </summary>
public sealed class AttemptLogs(RedisStorage redis)
{
    private readonly IDatabase _db = redis.Database;

    /// <summary>A delivery's latest <paramref name="count"/> attempts, oldest first.</summary>
    public async Task<IReadOnlyList<DeliveryAttempt>> OfDeliveryAsync(string eventId, string deliveryId, int count)
    {
        var entries = await _db.ListRangeAsync(RedisKeys.Delivery.Attempts(eventId, deliveryId), 0, count - 1);
        return [.. entries.Reverse().Select(Deserialize)];
    }

    /// <summary>
    /// A page of an endpoint's attempts, newest first, after the attempt <paramref name="after"/>
    /// names, and the attempt to go on after (null at the end). The log is bounded, so finding the
    /// place is too; when the attempt named has been trimmed from the log meanwhile, so has all
    /// that came after it, and the page is empty.
    /// </summary>
    public async Task<(IReadOnlyList<DeliveryAttempt> Attempts, DeliveryAttempt? Next)> OfEndpointAsync(string endpointId, AttemptPosition? after, int count)
    {
        const int chunk = 200;
        var found = new List<DeliveryAttempt>(count);
        var passed = after is null;
        for (long start = 0; ; start += chunk)
        {
            var entries = await _db.ListRangeAsync(RedisKeys.Endpoint.Attempts(endpointId), start, start + chunk - 1);
            foreach (var attempt in entries.Select(Deserialize))
            {
                if (!passed)
                {
                    passed = after!.Names(attempt);
                    continue;
                }
                if (found.Count == count)
                {
                    return (found, found[^1]);
                }
                found.Add(attempt);
            }
            if (entries.Length < chunk)
            {
                return (found, null);
            }
        }
    }

    private static DeliveryAttempt Deserialize(RedisValue value) => JsonSerializer.Deserialize<DeliveryAttempt>((string)value!, WebhooksJson.Options)!;
}
