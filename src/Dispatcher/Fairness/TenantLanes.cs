using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Options;
using Webhooks.Core.Storage;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.RateLimiting;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.Fairness;

/// <summary>
/// Chooses the lane of an event's deliveries at fan-out. Each tenant has a fast-lane allowance
/// (a GCRA cell in Redis, shared by every dispatcher); deliveries within it take the fast lane,
/// the rest queue in the bulk lane the tenant's name hashes to. Every lane is consumed side by
/// side, so a tenant that floods the platform builds its backlog in its own lane while the other
/// tenants' deliveries keep moving; without contention a bulk lane is as fast as the fast lane.
/// </summary>
public sealed class TenantLanes(RedisStorage redis, RedisCircuit circuit, IOptions<FairnessOptions> options)
{
    private static readonly Meter Meter = new(DispatcherApplication.SourceName);

    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("webhooks.fanout.deliveries", description: "Deliveries queued by fan-out, by lane (fast, bulk).");

    /// <summary>The queue for <paramref name="deliveries"/> deliveries of one event of <paramref name="tenant"/>.</summary>
    public async Task<string> ChooseAsync(string tenant, int deliveries)
    {
        var fairness = options.Value;
        if (!fairness.Enabled)
        {
            return Count(BusTopology.DeliveryQueue, deliveries);
        }
        var (ok, wait) = await circuit.TryAsync(() =>
            GcraScript.RunAsync(redis.Database, $"lane:{tenant}", fairness.TenantPerSecond, fairness.TenantBurst, cost: deliveries));
        // Without Redis the fan-out could not have read the registry either: this is a moment, not a mode.
        return Count(!ok || wait <= TimeSpan.Zero ? BusTopology.DeliveryQueue : BulkLaneOf(tenant), deliveries);
    }

    /// <summary>The bulk lane of a tenant: the same in every process (FNV-1a of the name, not the per-process string hash).</summary>
    public static string BulkLaneOf(string tenant)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(tenant))
        {
            hash = (hash ^ b) * 16777619u;
        }
        return BusTopology.BulkLaneQueue((int)(hash % BusTopology.BulkLanes) + 1);
    }

    private static string Count(string lane, int deliveries)
    {
        Deliveries.Add(deliveries, new KeyValuePair<string, object?>("lane", lane == BusTopology.DeliveryQueue ? "fast" : "bulk"));
        return lane;
    }
}
