using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.Fairness;
using Webhooks.Core.Storage;
using Webhooks.Dispatcher.Endpoints;
using Webhooks.Dispatcher.QueueDepths;
using Webhooks.IntegrationTests.Infrastructure;
using Webhooks.Messaging;

namespace Webhooks.IntegrationTests;

/// <summary>
/// Fan-out makes a delivery's first attempt itself when it can go now (one broker hop for a webhook), and leaves to the
/// delivery lanes what must wait, what a slow endpoint would hold up, and what an interrupted fan-out may have begun.
/// Each test starts its own dispatcher, so it can say how the lanes were used.
/// </summary>
public sealed class FanOutDeliveryTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    private const string DeliveryLane = "webhooks-delivery";

    /// <summary>
    /// For tests that say the delivery lane was never used: an attempt slower than fan-out's budget (a second; a dispatcher
    /// just started on a busy machine can take that) would rightly send the endpoint's next deliveries there.
    /// </summary>
    private static readonly Dictionary<string, string?> Unhurried = new() { ["Webhooks:Dispatcher:FanOutAttemptBudget"] = "00:00:30" };

    [Fact]
    public async Task A_webhook_that_can_go_now_is_attempted_by_fan_out_itself_and_never_queued_on_a_delivery_lane()
    {
        await using var subscriber = await Subscriber.StartAsync();
        // Room in flight for every webhook at once (the default, 16, is fewer than the 20 fanned out together below: those
        // over it would rightly wait their turn in the tiers, and come back through the delivery lane).
        var (_, secret) = await system.CreateEndpointAsync("hopper", subscriber.Url, ["ship.*"], new { maxInFlight = 64 });

        // As before the change (the setting off): each webhook is a message on the delivery lane.
        var before = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Dispatcher:DeliverAtFanOut"] = "false" });
        var queued = await PublishAsync("hopper", "ship.sailed", 5);
        await subscriber.WaitForAsync(5);
        Assert.NotNull(before.Services.GetRequiredService<LaneEntries>().LastEntered(DeliveryLane));
        foreach (var id in queued)
        {
            await Eventually.HoldsAsync(() => system.GetEventAsync(id), v => v.Deliveries is [{ Status: "delivered" }], $"the delivery of {id} is recorded");
        }
        await system.StopAsync(before);

        var dispatcher = await system.StartDispatcherAsync(Unhurried);
        var direct = await PublishAsync("hopper", "ship.docked", 20);
        await subscriber.WaitForAsync(25);

        var lanes = dispatcher.Services.GetRequiredService<LaneEntries>();
        Assert.NotNull(lanes.LastEntered("webhooks-fan-out"));
        Assert.Null(lanes.LastEntered(DeliveryLane));
        Assert.Equal(queued.Concat(direct).Order(), subscriber.Received.Select(r => r.Id).Order());
        Assert.All(subscriber.Received, r => Assert.True(r.VerifiesWith(secret)));
        // Recorded as any delivery is: one attempt, delivered, with its trace.
        var view = await system.GetEventAsync(direct[^1]);
        var delivery = Assert.Single(view.Deliveries);
        Assert.Equal("delivered", delivery.Status);
        Assert.Equal(1, Assert.Single(delivery.Attempts).Number);
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task A_webhook_delivered_at_fan_out_gives_back_its_in_flight_place_and_ends_its_fan_out_in_its_record()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("relay", subscriber.Url, ["baton.passed"], new { maxInFlight = 1 });
        var dispatcher = await system.StartDispatcherAsync(Unhurried);

        // One place in flight: each webhook finds it free only if the one before gave it back (else it waits its turn in the tiers).
        var ids = new List<string>();
        for (var i = 1; i <= 5; i++)
        {
            ids.Add(await system.PublishAsync("relay", "baton.passed", new { leg = i }));
            await subscriber.WaitForAsync(i);
            await Eventually.HoldsAsync(() => system.GetEventAsync(ids[^1]), v => v.Deliveries is [{ Status: "delivered" }], "its record is written");
            // The place is given back by the endpoint's write, sent beside the delivery's: on a Redis Cluster it lands on another node, a moment apart.
            await Eventually.HoldsAsync(() => system.Redis.SortedSetLengthAsync(RedisKeys.Endpoint.InFlight(endpointId)), n => n == 0, "its in-flight place is given back");
        }

        Assert.Equal(ids, subscriber.Received.Select(r => r.Id));
        Assert.Equal(0, await system.Redis.SortedSetLengthAsync(RedisKeys.Endpoint.InFlight(endpointId)));
        foreach (var id in ids)
        {
            Assert.True(await system.Service<FanOutClaims>().IsDoneAsync(id), $"The fan-out of {id} is not done.");
        }
        Assert.Null(dispatcher.Services.GetRequiredService<LaneEntries>().LastEntered(DeliveryLane));
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task Fan_out_serves_a_tenants_endpoints_from_its_copy_when_that_is_as_new_as_the_version_the_event_was_accepted_at()
    {
        await using var first = await Subscriber.StartAsync();
        await using var second = await Subscriber.StartAsync();
        var registry = system.Service<EndpointRegistry>();
        var endpoints = new Webhooks.Dispatcher.FanOut.TenantEndpoints(registry, TimeProvider.System);
        await system.CreateEndpointAsync("versions", first.Url, ["*"]);
        var accepted = await registry.TenantVersionAsync("versions");
        Assert.Single(await endpoints.ForTenantAsync("versions"));

        await system.CreateEndpointAsync("versions", second.Url, ["*"]);

        // An event accepted before the second endpoint: the copy is as new as that, and serves it without a read.
        Assert.Single(await endpoints.ForTenantAsync("versions", atLeast: accepted));
        // One accepted after it carries the newer version, and one without a version reads the version now: both see the second.
        Assert.Equal(2, (await endpoints.ForTenantAsync("versions", atLeast: await registry.TenantVersionAsync("versions"))).Count);
        await system.CreateEndpointAsync("versions", second.Url, ["order.*"]);
        Assert.Equal(3, (await endpoints.ForTenantAsync("versions")).Count);

        // End to end: each event published after an endpoint was made reaches it.
        var dispatcher = await system.StartDispatcherAsync();
        await using var third = await Subscriber.StartAsync();
        await system.PublishAsync("versions", "order.placed");
        // Its fan-out is over once the first endpoint has it (an event fanned out later would go to the endpoints as they are then).
        await first.WaitForAsync(1);
        await system.CreateEndpointAsync("versions", third.Url, ["*"]);
        var id = await system.PublishAsync("versions", "order.paid");
        await third.WaitForAsync(1);
        Assert.Equal(id, Assert.Single(third.Received).Id);
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task A_failed_first_attempt_at_fan_out_is_retried_on_its_schedule_through_the_lanes()
    {
        await using var subscriber = await Subscriber.StartAsync(n => n == 0 ? 503 : 200);
        var (endpointId, _) = await system.CreateEndpointAsync("gemini", subscriber.Url, ["capsule.launched"]);
        var dispatcher = await system.StartDispatcherAsync();

        var id = await system.PublishAsync("gemini", "capsule.launched");

        var view = await Eventually.HoldsAsync(() => system.GetEventAsync(id), v => v.Deliveries is [{ Status: "delivered" }], "the delivery succeeds on its second attempt");
        Assert.Equal([503, 200], view.Deliveries[0].Attempts.Select(a => a.StatusCode));
        Assert.Equal(endpointId, view.Deliveries[0].EndpointId);
        Assert.Equal([id, id], subscriber.Received.Select(r => r.Id));
        // The first from fan-out, the retry from the lane it came back to out of the delay tiers.
        Assert.NotNull(dispatcher.Services.GetRequiredService<LaneEntries>().LastEntered(DeliveryLane));
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task A_first_attempt_at_fan_out_is_counted_pending_at_its_endpoint_once_it_is_to_be_retried_and_never_when_delivered()
    {
        await using var failing = await Subscriber.StartAsync(_ => 503);
        await using var healthy = await Subscriber.StartAsync();
        var (failingId, _) = await system.CreateEndpointAsync("lima", failing.Url, ["llama.*"]);
        var (healthyId, _) = await system.CreateEndpointAsync("lima", healthy.Url, ["llama.*"]);
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Retries:Schedule:0"] = "00:10:00" });

        var id = await system.PublishAsync("lima", "llama.spotted");

        await Eventually.HoldsAsync(() => system.GetEventAsync(id), v => v.Deliveries.Count == 2 && v.Deliveries.All(d => d.Attempts.Count == 1), "both first attempts are recorded");
        Assert.Equal(1, (await system.Ingest.GetFromJsonAsync<EndpointStatsView>($"/v1/endpoints/{failingId}/stats"))!.Pending);
        Assert.Equal(0, (await system.Ingest.GetFromJsonAsync<EndpointStatsView>($"/v1/endpoints/{healthyId}/stats"))!.Pending);
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task A_tenant_over_its_allowances_is_attempted_in_its_bulk_event_lane_and_its_retries_come_back_to_its_bulk_delivery_lane()
    {
        await using var subscriber = await Subscriber.StartAsync(n => n < 4 ? 503 : 200);
        await system.CreateEndpointAsync("ankara", subscriber.Url, ["tram.*"]);
        // An allowance of one event and one delivery: after the first, the tenant's work takes its bulk lanes.
        var allowance = new Dictionary<string, string?> { ["Webhooks:Fairness:TenantPerSecond"] = "0.1", ["Webhooks:Fairness:TenantBurst"] = "1" };
        var ingest = await system.StartIngestAsync(allowance);
        var dispatcher = await system.StartDispatcherAsync(allowance);

        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var response = await ingest.PostAsJsonAsync("/v1/events", new { type = "tram.departed", tenant = "ankara", data = new { i } });
            ids.Add((await response.Content.ReadFromJsonAsync<Webhooks.Ingest.Events.EventAccepted>())!.Id);
        }

        foreach (var id in ids)
        {
            await Eventually.HoldsAsync(() => system.GetEventAsync(id), v => v.Deliveries is [{ Status: "delivered" }], $"event {id} is delivered");
        }
        var lanes = dispatcher.Services.GetRequiredService<LaneEntries>();
        Assert.NotNull(lanes.LastEntered(TenantLanes.BulkLaneOf(FairnessStage.Events, "ankara")));
        Assert.NotNull(lanes.LastEntered(TenantLanes.BulkLaneOf(FairnessStage.Deliveries, "ankara")));
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task The_deliveries_of_events_in_a_tenants_bulk_event_lane_leave_its_delivery_allowance_to_its_fast_lane_events()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("izmir", subscriber.Url, ["ferry.*"]);
        // Ingest allows the tenant one event (then one every ten seconds); fan-out would count ten deliveries at a unit every ten seconds.
        var ingest = await system.StartIngestAsync(new Dictionary<string, string?> { ["Webhooks:Fairness:TenantPerSecond"] = "0.1", ["Webhooks:Fairness:TenantBurst"] = "1" });
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Fairness:TenantPerSecond"] = "0.1", ["Webhooks:Fairness:TenantBurst"] = "10" });

        for (var i = 0; i < 4; i++)
        {
            (await ingest.PostAsJsonAsync("/v1/events", new { type = "ferry.docked", tenant = "izmir", data = new { i } })).EnsureSuccessStatusCode();
        }
        await subscriber.WaitForAsync(4);

        Assert.NotNull(dispatcher.Services.GetRequiredService<LaneEntries>().LastEntered(TenantLanes.BulkLaneOf(FairnessStage.Events, "izmir")));
        Assert.Equal(4, subscriber.Received.Select(r => r.Id).Distinct().Count());
        // The cell lives as long as the units taken (ten seconds each) and a second more: the first event's delivery took one;
        // had the three in the bulk event lane been counted too, it would live forty-one.
        var ttl = await system.Redis.KeyTimeToLiveAsync(RedisKeys.Tenant.Allowance("deliveries", "izmir"));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value.TotalSeconds, 1, 11.5);
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task Fan_outs_make_no_more_first_attempts_at_once_than_the_dispatcher_allows_and_the_rest_wait_their_slot()
    {
        await using var subscriber = await SubscriberOfEndpointsAsync("quito", 6);
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?>(Unhurried) { ["Webhooks:Dispatcher:FanOutAttemptsInFlight"] = "2" });

        // Two events at once, six endpoints each: twelve first attempts that may go now, two at a time.
        var ids = await Task.WhenAll(system.PublishAsync("quito", "bus.left"), system.PublishAsync("quito", "bus.arrived"));
        await subscriber.WaitForAsync(12);

        Assert.Equal(2, subscriber.MaxInFlight);
        Assert.Equal(ids.Order(), subscriber.Received.Select(r => r.Id).Distinct().Order());
        // They waited for a slot at fan-out, not in the lanes.
        Assert.Null(dispatcher.Services.GetRequiredService<LaneEntries>().LastEntered(DeliveryLane));
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task Fan_outs_hold_no_more_deliveries_at_once_than_the_dispatcher_allows_and_the_next_waits_its_turn()
    {
        await using var subscriber = await SubscriberOfEndpointsAsync("lima-bus", 3);
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?>(Unhurried) { ["Webhooks:Dispatcher:FanOutDeliveriesInFlight"] = "3" });

        // Three events at once, three endpoints each: one fan-out holds all three units, so they go one event after another.
        var ids = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => system.PublishAsync("lima-bus", "bus.left")));
        await subscriber.WaitForAsync(9);

        Assert.Equal(3, subscriber.MaxInFlight);
        Assert.Equal(ids.Order(), subscriber.Received.Select(r => r.Id).Distinct().Order());
        foreach (var id in ids)
        {
            Assert.Equal(3, subscriber.Received.Count(r => r.Id == id));
        }
        Assert.Null(dispatcher.Services.GetRequiredService<LaneEntries>().LastEntered(DeliveryLane));
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task A_slow_endpoint_is_left_to_the_lanes_so_it_no_longer_holds_the_fan_out_of_events_it_shares()
    {
        await using var slow = await Subscriber.StartAsync(_ => new Reply(200, TimeSpan.FromSeconds(3)));
        await using var quick = await Subscriber.StartAsync();
        var (slowId, _) = await system.CreateEndpointAsync("lagos", slow.Url, ["port.*"]);
        await system.CreateEndpointAsync("lagos", quick.Url, ["port.*"]);
        // One fan-out at a time, so an event held by the slow endpoint would hold every event behind it.
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?>
        {
            ["Webhooks:Dispatcher:FanOutConcurrency"] = "1",
            ["Webhooks:Dispatcher:FanOutAttemptBudget"] = "00:00:00.5",
        });

        // The first event finds out: fan-out attempts both, and waits the slow one's three seconds.
        await PublishAsync("lagos", "port.opened", 1);
        await quick.WaitForAsync(1);
        await slow.WaitForAsync(1);
        var slowEndpoints = dispatcher.Services.GetRequiredService<SlowEndpoints>();
        await Eventually.HoldsAsync(() => Task.FromResult(slowEndpoints.IsSlow(slowId)), s => s, "the endpoint is known to be slow");

        // The next three: fan-out attempts the quick endpoint only; had it waited for the slow one, they would be 3 s apart.
        var next = await PublishAsync("lagos", "port.closed", 3);
        await quick.WaitForAsync(4);
        await slow.WaitForAsync(4);
        var arrivals = quick.Received.Where(r => next.Contains(r.Id)).Select(r => r.At).Order().ToList();
        Assert.True(arrivals[^1] - arrivals[0] < TimeSpan.FromSeconds(2.5), $"The quick endpoint got the three events {(arrivals[^1] - arrivals[0]).TotalSeconds:0.0} s apart.");
        Assert.NotNull(dispatcher.Services.GetRequiredService<LaneEntries>().LastEntered(DeliveryLane));
        Assert.Equal(4, slow.Received.Select(r => r.Id).Distinct().Count());
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task A_fan_out_taken_up_again_after_an_interruption_leaves_what_was_delivered_and_sends_the_rest_once()
    {
        await using var delivered = await Subscriber.StartAsync();
        await using var begun = await Subscriber.StartAsync();
        await using var untouched = await Subscriber.StartAsync();
        var (deliveredId, _) = await system.CreateEndpointAsync("osaka", delivered.Url, ["parcel.sent"]);
        var (begunId, _) = await system.CreateEndpointAsync("osaka", begun.Url, ["parcel.sent"]);
        await system.CreateEndpointAsync("osaka", untouched.Url, ["parcel.sent"]);

        // No dispatcher yet: the event waits. What an earlier fan-out of it got done before it was cut short is written
        // as it would have: one delivery attempted and recorded, one recorded pending (its attempt may have begun), one not yet.
        var id = await system.PublishAsync("osaka", "parcel.sent");
        var store = system.Service<DeliveryStore>();
        var ids = await store.AddPendingAsync(id, [(deliveredId, "dlv_earlier1"), (begunId, "dlv_earlier2")]);
        await system.Service<AttemptRecording>().RecordAsync(new DeliveryAttempt
        {
            DeliveryId = ids[0], EventId = id, EndpointId = deliveredId, Number = 1, At = DateTimeOffset.UtcNow, Succeeded = true, StatusCode = 204, DurationMs = 3,
        }, "osaka", DeliveryStatus.Delivered);

        var dispatcher = await system.StartDispatcherAsync();
        await begun.WaitForAsync(1);
        await untouched.WaitForAsync(1);
        var view = await Eventually.HoldsAsync(() => system.GetEventAsync(id), v => v.Deliveries.Count == 3 && v.Deliveries.All(d => d.Status == "delivered"), "every delivery is delivered");
        await Eventually.HoldsAsync(() => system.QueueDepthAsync(DeliveryLane), d => d == 0, "the delivery lane is empty");

        Assert.Empty(delivered.Received);
        Assert.Equal(id, Assert.Single(begun.Received).Id);
        Assert.Equal(id, Assert.Single(untouched.Received).Id);
        // The deliveries keep the ids they had; the one that may have begun went by the lane, as before.
        Assert.Equal("dlv_earlier2", view.Deliveries.Single(d => d.EndpointId == begunId).Id);
        Assert.NotNull(dispatcher.Services.GetRequiredService<LaneEntries>().LastEntered(DeliveryLane));
        await system.StopAsync(dispatcher);
    }

    /// <summary>A subscriber taking 200 ms a request, behind <paramref name="endpoints"/> endpoints of <paramref name="tenant"/> for <c>bus.*</c>.</summary>
    private async Task<Subscriber> SubscriberOfEndpointsAsync(string tenant, int endpoints)
    {
        var subscriber = await Subscriber.StartAsync(_ => new Reply(200, TimeSpan.FromMilliseconds(200)));
        for (var i = 0; i < endpoints; i++)
        {
            await system.CreateEndpointAsync(tenant, subscriber.Url, ["bus.*"]);
        }
        return subscriber;
    }

    private async Task<List<string>> PublishAsync(string tenant, string type, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await system.PublishAsync(tenant, type, new { i }));
        }
        return ids;
    }
}
