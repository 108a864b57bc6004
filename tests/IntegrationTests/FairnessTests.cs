using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using StackExchange.Redis;
using Webhooks.Core.Fairness;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;
using Webhooks.Messaging;

namespace Webhooks.IntegrationTests;

public sealed class FairnessTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task A_quiet_tenants_events_are_delivered_while_a_flooding_tenants_backlog_is_still_queued()
    {
        // The flooding tenant's endpoint takes 100 ms a request and each lane has 4 consumers (fan-out's too, as it makes
        // first attempts): its 600 deliveries take at least 7.5 s to drain, whatever the machine.
        await using var flooded = await Subscriber.StartAsync(_ => new Reply(200, Delay: TimeSpan.FromMilliseconds(100)));
        await using var quiet = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("flooding", flooded.Url, ["*"]);
        await system.CreateEndpointAsync("quiet", quiet.Url, ["*"]);
        var logs = new CapturedLogs();
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?>
        {
            ["Webhooks:Dispatcher:DeliveryConcurrency"] = "4",
            ["Webhooks:Dispatcher:FanOutConcurrency"] = "4",
            ["Webhooks:Fairness:TenantPerSecond"] = "10",
            ["Webhooks:Fairness:TenantBurst"] = "10",
        }, logs.AddTo);
        try
        {
            var flood = new HashSet<string>();
            for (var batch = 0; batch < 6; batch++)
            {
                var response = await system.Ingest.PostAsJsonAsync("/v1/events/batch", new { events = Enumerable.Range(0, 100).Select(i => new { type = "bulk.import", tenant = "flooding", data = new { batch, i } }) });
                flood.UnionWith((await response.Content.ReadFromJsonAsync<EventBatchAccepted>())!.Ids);
            }
            var quietIds = new HashSet<string>();
            for (var i = 0; i < 5; i++)
            {
                quietIds.Add(await system.PublishAsync("quiet", "order.created", new { i }));
            }

            await quiet.WaitForAsync(5, TimeSpan.FromSeconds(30));
            var floodedWhenQuietDone = flooded.Received.Count;

            Assert.Equal(quietIds, quiet.Received.Select(r => r.Id).ToHashSet());
            // In one FIFO queue the quiet tenant's deliveries would have waited behind all 600.
            Assert.InRange(floodedWhenQuietDone, 0, 300);
            await flooded.WaitForAsync(600, TimeSpan.FromSeconds(120));
            Assert.Equal(flood, flooded.Received.Select(r => r.Id).ToHashSet());
            // An SRE can tell who is being queued aside: once a minute, not once per event.
            Assert.Single(logs.Lines, l => l.Contains("Tenant flooding is over its fast-lane allowance for deliveries", StringComparison.Ordinal));
            Assert.DoesNotContain(logs.Lines, l => l.Contains("Tenant quiet is over", StringComparison.Ordinal));
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Fact]
    public async Task A_delivery_waiting_in_a_delay_tier_returns_to_the_lane_it_left()
    {
        // A dispatcher declares the tiers; stopped, it leaves the returned messages in their lanes to be counted.
        var dispatcher = await system.StartDispatcherAsync();
        await dispatcher.Services.GetRequiredService<TopologyDeclaration>().Declared.WaitAsync(TimeSpan.FromSeconds(30));
        await system.StopAsync(dispatcher);
        var lane = TenantLanes.BulkLaneOf(FairnessStage.Deliveries, "some-tenant");
        var tier = Queues.DelayTier(TimeSpan.FromMilliseconds(50));
        var before = (Fast: await system.QueueDepthAsync(TenantLanes.FastLane(FairnessStage.Deliveries)), Bulk: await system.QueueDepthAsync(lane));

        await using (var connection = await new ConnectionFactory { Uri = system.RabbitMq }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var properties = new BasicProperties { Persistent = true };
            await channel.BasicPublishAsync(tier, lane, mandatory: false, properties, "{}"u8.ToArray());
            await channel.BasicPublishAsync(tier, "", mandatory: false, properties, "{}"u8.ToArray());
        }

        await Eventually.HoldsAsync(async () => (Fast: await system.QueueDepthAsync(TenantLanes.FastLane(FairnessStage.Deliveries)), Bulk: await system.QueueDepthAsync(lane)),
            depth => depth == (before.Fast + 1, before.Bulk + 1), "one message is back in the bulk lane and one, without a lane, in the fast lane");
        Assert.Equal(0u, await system.QueueDepthAsync(tier));
    }

    [Fact]
    public async Task A_tenants_allowance_admits_its_burst_then_its_rate_and_nothing_larger_than_the_burst()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(system.Servers.Redis);
        var storage = new RedisStorage(redis, Options.Create(new StorageOptions { KeyPrefix = system.KeyPrefix }));
        var allowance = new TenantAllowance(storage, Options.Create(new FairnessOptions { TenantPerSecond = 10, TenantBurst = 5 }), NullLogger<TenantAllowance>.Instance);

        var burst = new List<bool>();
        for (var i = 0; i < 6; i++)
        {
            burst.Add(await allowance.TakeAsync(FairnessStage.Events, "bursty", 1));
        }
        Assert.Equal([true, true, true, true, true, false], burst);
        Assert.True(await allowance.TakeAsync(FairnessStage.Events, "someone-else", 5), "another tenant's allowance is its own");
        Assert.False(await allowance.TakeAsync(FairnessStage.Events, "someone-else", 1), "the other tenant used its burst at once");
        Assert.False(await allowance.TakeAsync(FairnessStage.Events, "bigger-than-a-burst", 6), "work larger than the burst never fits");
        Assert.True(await allowance.TakeAsync(FairnessStage.Deliveries, "bursty", 5), "each stage has its own allowance");

        // At 10 a second, a quarter of a second frees at least two more.
        await Eventually.TimePassesAsync(TimeSpan.FromMilliseconds(250), "the allowance to refill on Redis time");
        Assert.True(await allowance.TakeAsync(FairnessStage.Events, "bursty", 2));
    }

    [Fact]
    public async Task A_tenant_found_over_its_allowance_is_known_over_without_asking_Redis_until_a_unit_frees()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(system.Servers.Redis);
        var storage = new RedisStorage(redis, Options.Create(new StorageOptions { KeyPrefix = system.KeyPrefix }));
        var allowance = new TenantAllowance(storage, Options.Create(new FairnessOptions { TenantPerSecond = 4, TenantBurst = 1 }), NullLogger<TenantAllowance>.Instance);

        Assert.True(await allowance.TakeAsync(FairnessStage.Deliveries, "flooder", 1));
        Assert.False(await allowance.TakeAsync(FairnessStage.Deliveries, "flooder", 1), "the burst of one is used");
        // Its cell gone from Redis (were Redis asked, it would say yes): the answer is the one Redis gave, until a unit frees.
        await system.Redis.KeyDeleteAsync(RedisKeys.Tenant.Allowance("deliveries", "flooder"));
        Assert.False(await allowance.TakeAsync(FairnessStage.Deliveries, "flooder", 1), "known over for a quarter of a second");

        await Eventually.TimePassesAsync(TimeSpan.FromMilliseconds(300), "a unit of the allowance to free");
        Assert.True(await allowance.TakeAsync(FairnessStage.Deliveries, "flooder", 1), "asked again once a unit is free");
    }
}
