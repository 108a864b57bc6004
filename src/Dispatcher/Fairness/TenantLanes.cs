using System.Diagnostics.Metrics;
using Webhooks.Core.Fairness;
using Webhooks.Dispatcher.Degraded;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.Fairness;

/// <summary>Chooses the delivery lane of an event's deliveries at fan-out, by the tenant's allowance.</summary>
public sealed class TenantLanes(TenantAllowance allowance, RedisCircuit circuit)
{
    private static readonly Meter Meter = new(DispatcherApplication.SourceName);

    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("webhooks.fanout.deliveries", description: "Deliveries queued by fan-out, by lane (fast, bulk).");

    /// <summary>The queue for <paramref name="deliveries"/> deliveries of one event of <paramref name="tenant"/>.</summary>
    public async Task<string> ChooseAsync(string tenant, int deliveries)
    {
        if (deliveries == 0)
        {
            return BusTopology.DeliveryQueue; // every endpoint is disabled: nothing to count, nothing queued
        }
        var (ok, fast) = await circuit.TryAsync(() => allowance.TakeAsync("deliveries", tenant, deliveries));
        // Without Redis the fan-out could not have read the registry either: this is a moment, not a mode.
        var bulk = ok && !fast;
        Deliveries.Add(deliveries, new KeyValuePair<string, object?>("lane", bulk ? "bulk" : "fast"));
        return bulk ? BusTopology.BulkLaneOf(BusTopology.DeliveryQueue, tenant) : BusTopology.DeliveryQueue;
    }
}
