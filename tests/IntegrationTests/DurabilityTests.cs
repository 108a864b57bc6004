using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class DurabilityTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task Events_accepted_before_any_dispatcher_ran_and_while_it_was_stopped_are_all_delivered()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("durable", subscriber.Url, ["*"]);

        // Before any dispatcher ever ran: the queue Ingest declared keeps them.
        var beforeAnyDispatcher = await PublishManyAsync(20, "before");
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-fan-out"), d => d == 20, "the 20 events wait in the fan-out queue");

        var dispatcher = await system.StartDispatcherAsync();
        await subscriber.WaitForAsync(20);

        // Mid-run: more events while it works, then it stops, and 50 more arrive while none runs.
        var duringRun = await PublishManyAsync(25, "during");
        await system.StopAsync(dispatcher);
        var whileStopped = await PublishManyAsync(50, "stopped");

        await system.StartDispatcherAsync();
        var expected = beforeAnyDispatcher.Concat(duringRun).Concat(whileStopped).ToHashSet();
        await Eventually.HoldsAsync(() => Task.FromResult(subscriber.Received.Select(r => r.Id).ToHashSet()), ids => ids.SetEquals(expected),
            $"all {expected.Count} events arrived", TimeSpan.FromSeconds(60));
        Assert.Equal(95, expected.Count);
    }

    [Fact]
    public async Task A_stopping_dispatcher_finishes_the_delivery_in_flight_and_it_is_not_sent_again()
    {
        await using var subscriber = await Subscriber.StartAsync(_ => new Reply(200, Delay: TimeSpan.FromSeconds(2)));
        await system.CreateEndpointAsync("draining", subscriber.Url, ["*"]);
        var dispatcher = await system.StartDispatcherAsync();

        var id = await system.PublishAsync("draining", "batch.closed");
        await subscriber.WaitForAsync(1);
        await system.StopAsync(dispatcher);

        var view = await system.GetEventAsync(id);
        Assert.Equal("delivered", view.Deliveries[0].Status);
        var next = await system.StartDispatcherAsync();
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-delivery"), d => d == 0, "the delivery queue is empty");
        await system.StopAsync(next);
        Assert.Single(subscriber.Received);
    }

    private async Task<List<string>> PublishManyAsync(int count, string phase)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await system.PublishAsync("durable", "shipment.moved", new { phase, i }));
        }
        return ids;
    }
}
