using Webhooks.Core.Fairness;
using Webhooks.Messaging;

namespace Webhooks.UnitTests;

public sealed class LaneTests
{
    [Fact]
    public void A_tenant_always_hashes_to_the_same_bulk_lane()
    {
        // FNV-1a of "acme" is 0x45FD71AF (computed independently): 1174237615 % 4 = 3, lane 4.
        Assert.Equal("webhooks-delivery-bulk-4", TenantLanes.BulkLaneOf(FairnessStage.Deliveries, "acme"));
        Assert.Equal(TenantLanes.BulkLaneOf(FairnessStage.Events, "globex"), TenantLanes.BulkLaneOf(FairnessStage.Events, "globex"));
    }

    [Fact]
    public void Tenants_spread_over_every_bulk_lane()
    {
        var lanes = Enumerable.Range(0, 1000).Select(i => TenantLanes.BulkLaneOf(FairnessStage.Deliveries, $"tenant-{i}")).CountBy(l => l).ToDictionary();

        Assert.Equal(TenantLanes.Of(FairnessStage.Deliveries).Skip(1).Order(), lanes.Keys.Order());
        Assert.All(lanes.Values, count => Assert.InRange(count, 150, 350));
    }

    [Theory]
    [InlineData("rabbitmq://127.0.0.1:5672/vhost/webhooks-delivery-bulk-2", "webhooks-delivery-bulk-2")]
    [InlineData("rabbitmq://127.0.0.1:5672/webhooks-delivery", "webhooks-delivery")]
    [InlineData("rabbitmq://127.0.0.1:5672/vhost/webhooks-fan-out", "webhooks-delivery")]
    [InlineData("loopback://localhost/webhooks-delivery-bulk-9", "webhooks-delivery")]
    public void A_delivery_remembers_the_lane_it_was_received_from(string inputAddress, string lane)
    {
        Assert.Equal(lane, TenantLanes.LaneOf(FairnessStage.Deliveries, new Uri(inputAddress)));
    }
}
