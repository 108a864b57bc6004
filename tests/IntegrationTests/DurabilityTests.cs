using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class DurabilityTests(WebhooksSystemWithoutDispatcher system) : IClassFixture<WebhooksSystemWithoutDispatcher>
{
    [Fact]
    public async Task Events_accepted_before_any_dispatcher_ran_and_while_it_was_stopped_are_all_delivered()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("durable", subscriber.Url, ["*"]);

        // Before any dispatcher ever ran: the queue Ingest declared keeps them.
        var beforeAnyDispatcher = await PublishManyAsync(20, "before");
        Assert.Equal(20u, await system.QueueDepthAsync("webhooks-fan-out"));

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
