using System.Net.Http.Json;
using Webhooks.Ingest.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class ReEnableTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task An_endpoint_switched_on_again_after_auto_disable_is_not_disabled_by_its_next_failure()
    {
        await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Retries:AutoDisableAfter"] = "00:00:00.300" });
        // Fails until switched on again, then once more, then answers.
        var failUpTo = int.MaxValue;
        await using var subscriber = await Subscriber.StartAsync(n => n <= Volatile.Read(ref failUpTo) ? 503 : 200);
        var (endpointId, _) = await system.CreateEndpointAsync("phoenix", subscriber.Url, ["*"]);
        await system.PublishAsync("phoenix", "bird.burned");
        await Eventually.HoldsAsync(async () => (await system.Ingest.GetFromJsonAsync<EndpointView>($"/v1/endpoints/{endpointId}"))!.Enabled,
            enabled => !enabled, "the failing endpoint is disabled");
        await Eventually.TimePassesAsync(TimeSpan.FromMilliseconds(500), "past the auto-disable period since its failures began");

        Volatile.Write(ref failUpTo, subscriber.Received.Count);
        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/enable", null)).EnsureSuccessStatusCode();
        var id = await system.PublishAsync("phoenix", "bird.reborn");

        // Until fan-out has recorded the delivery, the event has none.
        await Eventually.HoldsAsync(async () => (await system.GetEventAsync(id)).Deliveries.FirstOrDefault()?.Status,
            status => status is "delivered" or "dead_lettered", "the new event's delivery ends");
        Assert.Equal("delivered", (await system.GetEventAsync(id)).Deliveries[0].Status);
        Assert.True((await system.Ingest.GetFromJsonAsync<EndpointView>($"/v1/endpoints/{endpointId}"))!.Enabled);
    }
}
