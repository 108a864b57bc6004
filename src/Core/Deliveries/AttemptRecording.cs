using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Quotas;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Deliveries;

/// <summary>
/// Recording an attempt, the one write that spans owners: the delivery's side (its attempts log and its record,
/// which moves on only while the attempt's chain is the live one) in its event's slot, and the endpoint's side
/// (its attempts log, bounded by its tenant's attempt-log bytes, its stats and its pending set) in the endpoint's —
/// two scripts sent together, one round trip, each safe to run again.
/// </summary>
public sealed class AttemptRecording(RedisStorage redis, TenantQuotaStore quotas, IOptions<StorageOptions> options)
{
    private readonly IDatabase _db = redis.Database;
    private readonly StorageOptions _options = options.Value;
    private static readonly RedisScript EndpointSide = RedisScript.Of<AttemptRecording>("endpoint-attempt");
    private static readonly RedisScript DeliverySide = RedisScript.Of<AttemptRecording>("delivery-attempt");

    /// <summary>
    /// Appends an attempt to the delivery's and the endpoint's bounded logs and moves the delivery to its new
    /// <paramref name="status"/> — unless another chain has replaced the attempt's <paramref name="chain"/> meanwhile:
    /// then false, and that chain goes no further. <paramref name="final"/>: no attempt follows, whatever this one's outcome (a test's).
    /// <paramref name="endsFailureRun"/>: the attempt succeeded and says so of the endpoint's health (not a test), so the
    /// endpoint's run of failures (<see cref="Endpoints.FailureStreaks"/>) ends in the same write. <paramref name="inFlightLease"/>:
    /// the endpoint's in-flight lease the request held, given back in the same write. <paramref name="endsFanOut"/>: the attempt is the
    /// last act of its event's fan-out, which its record marks done.
    /// </summary>
    public async Task<bool> RecordAsync(DeliveryAttempt attempt, string tenant, string status, string? chain = null, bool final = false, bool endsFailureRun = false,
        string? inFlightLease = null, bool endsFanOut = false)
    {
        var record = new DeliveryRecord
        {
            Id = attempt.DeliveryId,
            EndpointId = attempt.EndpointId,
            Status = status,
            Attempts = attempt.Number,
            LastAttemptAt = attempt.At,
            UpdatedAt = DateTimeOffset.UtcNow,
            Chain = chain,
        };
        var stats = EndpointStats.Of(attempt.EndpointId, attempt.At, attempt.DurationMs);
        var json = JsonSerializer.Serialize(attempt, WebhooksJson.Options);
        var retention = (long)_options.EventRetention.TotalMilliseconds;
        var logBytes = await quotas.AttemptLogBytesAsync(tenant);
        RedisKey[] deliveryKeys = endsFanOut
            ? [RedisKeys.Delivery.Attempts(attempt.EventId, attempt.DeliveryId), RedisKeys.Delivery.Records(attempt.EventId), RedisKeys.Event.FanOut(attempt.EventId)]
            : [RedisKeys.Delivery.Attempts(attempt.EventId, attempt.DeliveryId), RedisKeys.Delivery.Records(attempt.EventId)];
        var live = DeliverySide.RunAsync(_db, deliveryKeys,
            [json, _options.AttemptsPerDelivery, retention, attempt.EndpointId, JsonSerializer.Serialize(record, WebhooksJson.Options), chain ?? ""]);
        await Task.WhenAll(
            live,
            EndpointSide.RunAsync(_db,
                [RedisKeys.Endpoint.Attempts(attempt.EndpointId), RedisKeys.Endpoint.AttemptBytes(attempt.EndpointId), stats.Fine, stats.Coarse, stats.Summary, RedisKeys.Endpoint.Pending(attempt.EndpointId),
                    RedisKeys.Endpoint.FailingSince(attempt.EndpointId), RedisKeys.Endpoint.FailingAnnounced(attempt.EndpointId), RedisKeys.Endpoint.InFlight(attempt.EndpointId)],
                [json, _options.AttemptsPerEndpoint, retention, logBytes, attempt.Succeeded ? "ok" : "failed", stats.LatencyField, attempt.At.ToUnixTimeMilliseconds(),
                    (long)EndpointStats.Kept.TotalMilliseconds, attempt.DeliveryId, final ? "1" : "0", attempt.Succeeded ? "" : EndpointStats.FailureField(attempt.StatusCode, attempt.Error),
                    endsFailureRun && attempt.Succeeded ? "1" : "0", inFlightLease ?? ""]));
        return (long)await live == 1;
    }
}
