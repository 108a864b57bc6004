using Webhooks.Core.Fairness;
using Webhooks.IntegrationTests.Infrastructure;
using Webhooks.Messaging;

namespace Webhooks.IntegrationTests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerRestarts
{
    // Restarting the broker would break tests running next to it: this collection runs alone.
    public const string Name = "broker restarts";
}

[Collection(BrokerRestarts.Name)]
public sealed class RecoveryTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    private const int Events = 10;

    private static readonly Dictionary<string, string?> EightSecondRetries = new() { ["Webhooks:Retries:Schedule:0"] = "00:00:08" };

    [Fact]
    public async Task Retries_waiting_in_delay_tiers_survive_a_killed_dispatcher_and_a_broker_restart()
    {
        await using var subscriber = await Subscriber.StartAsync(n => n < Events ? 500 : 200);
        await system.CreateEndpointAsync("recovery", subscriber.Url, ["*"]);
        using var doomed = system.StartDispatcherProcess(EightSecondRetries);
        var ids = new List<string>();
        for (var i = 0; i < Events; i++)
        {
            ids.Add(await system.PublishAsync("recovery", "invoice.overdue", new { i }));
        }
        await subscriber.WaitForAsync(Events);
        await Eventually.HoldsAsync(DelayedAsync, n => n == Events, $"all {Events} retries wait in the delay tiers");

        doomed.Kill(entireProcessTree: true);
        await doomed.WaitForExitAsync();
        await system.Servers.RestartRabbitMqAsync();
        await system.StartDispatcherAsync(EightSecondRetries);

        await Eventually.HoldsAsync(async () =>
        {
            var statuses = new List<string?>();
            foreach (var id in ids)
            {
                statuses.Add((await system.GetEventAsync(id)).Deliveries[0].Status);
            }
            return statuses;
        }, s => s.All(status => status == "delivered"), "every delivery completes", TimeSpan.FromSeconds(60));
        Assert.Equal(ids.ToHashSet(), subscriber.Received.Skip(Events).Select(r => r.Id).ToHashSet());
    }

    /// <summary>Deliveries waiting in any delay tier (or between two hops).</summary>
    private async Task<long> DelayedAsync()
    {
        long total = await system.QueueDepthAsync(TenantLanes.FastLane(FairnessStage.Deliveries));
        for (var i = 0; i < 8; i++)
        {
            total += await system.QueueDepthAsync(Queues.DelayTier(TimeSpan.FromMilliseconds(50 * Math.Pow(2, i))));
        }
        return total;
    }
}
