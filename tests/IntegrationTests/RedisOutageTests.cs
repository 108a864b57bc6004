using System.Net.Http.Json;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

[Collection(BrokerRestarts.Name)]
public sealed class RedisOutageTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task While_redis_is_frozen_deliveries_go_on_at_a_limited_rate_nothing_is_lost_and_the_limit_is_exact_again_after()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("outage", subscriber.Url, ["*"], new { rateLimit = new { perSecond = 10 } });
        var dispatcher = await system.StartDispatcherAsync();
        var ids = new HashSet<string>();
        for (var batch = 0; batch < 4; batch++)
        {
            var response = await system.Ingest.PostAsJsonAsync("/v1/events/batch", new { events = Enumerable.Range(0, 100).Select(i => new { type = "tick.tock", tenant = "outage", data = new { batch, i } }) });
            ids.UnionWith((await response.Content.ReadFromJsonAsync<EventBatchAccepted>())!.Ids);
        }
        await subscriber.WaitForAsync(30);

        var frozenAt = DateTimeOffset.UtcNow;
        await system.Servers.PauseRedisAsync(Outage);
        var thawedAt = DateTimeOffset.UtcNow;

        await Eventually.HoldsAsync(() => Task.FromResult(subscriber.Received.Select(r => r.Id).ToHashSet()), got => got.IsSupersetOf(ids), "all 400 events arrived", TimeSpan.FromSeconds(120));
        var during = subscriber.Received.Where(r => r.At > frozenAt.AddSeconds(2) && r.At < thawedAt).Select(r => r.At).ToList();
        var after = subscriber.Received.Where(r => r.At > thawedAt.AddSeconds(3)).Select(r => r.At).ToList();
        Assert.NotEmpty(during); // deliveries went on without Redis…
        Assert.InRange(Windows.MostIn(during, TimeSpan.FromSeconds(5)), 1, 5 * 10 / 2 + 2); // …limited locally at half the rate, never unlimited
        Assert.InRange(Windows.MostIn(after, TimeSpan.FromSeconds(5)), 1, 5 * 10 + 2); // and exact again once Redis is back
        Assert.Equal(System.Net.HttpStatusCode.OK, (await new HttpClient().GetAsync(dispatcher.Urls.Single() + "/healthz")).StatusCode);
        // The attempts made without Redis were buffered and written once it returned.
        await Eventually.HoldsAsync(async () =>
        {
            var delivered = 0;
            foreach (var id in ids.Take(400))
            {
                var view = await system.GetEventAsync(id);
                delivered += view.Deliveries.Count(d => d.Status == "delivered");
            }
            return delivered;
        }, n => n == ids.Count, "every delivery is recorded as delivered", TimeSpan.FromSeconds(60));
        Assert.NotNull(endpointId);
    }
}
