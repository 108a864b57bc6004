using System.Net.Http.Json;
using Webhooks.Ingest.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>An allow-list entry opens a private destination to its ports and tenants only, and keeps its answers only when it says so.</summary>
public sealed class AllowListTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task An_entry_naming_a_tenant_is_closed_to_the_others_even_on_a_connection_the_named_tenant_opened()
    {
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Destinations:Allow:0"] = "127.0.0.0/8 ports=* tenants=allowed-team keep-bodies" });
        try
        {
            await using var subscriber = await Subscriber.StartAsync(_ => new Reply(200, Body: "ok"));
            await system.CreateEndpointAsync("allowed-team", subscriber.Url, ["*"]);
            var (otherEndpoint, _) = await system.CreateEndpointAsync("other-team", subscriber.Url, ["*"]);

            var allowed = await system.PublishAsync("allowed-team", "door.opened");
            await subscriber.WaitForAsync(1);
            var other = await system.PublishAsync("other-team", "door.tried");

            var deadLetter = await Eventually.HoldsAsync(async () => (await system.DeadLettersAsync($"endpointId={otherEndpoint}")).FirstOrDefault(), d => d is not null, "the other tenant's delivery is dead-lettered");
            Assert.Equal("blocked_destination", deadLetter!.Reason);
            Assert.Equal([allowed], subscriber.Received.Select(r => r.Id));
            Assert.Equal("delivered", (await system.GetEventAsync(allowed)).Deliveries[0].Status);
            Assert.NotEqual(other, allowed);
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Fact]
    public async Task An_entry_opens_only_its_ports()
    {
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Destinations:Allow:0"] = "127.0.0.0/8 ports=1,2" });
        try
        {
            await using var subscriber = await Subscriber.StartAsync();
            var (endpointId, _) = await system.CreateEndpointAsync("port-team", subscriber.Url, ["*"]);

            await system.PublishAsync("port-team", "door.knocked");

            var deadLetter = await Eventually.HoldsAsync(async () => (await system.DeadLettersAsync($"endpointId={endpointId}")).FirstOrDefault(), d => d is not null, "the delivery is dead-lettered");
            Assert.Equal("blocked_destination", deadLetter!.Reason);
            Assert.Empty(subscriber.Received);
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Fact]
    public async Task Answers_from_a_private_destination_are_not_kept_unless_its_entry_says_so()
    {
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Destinations:Allow:0"] = "127.0.0.0/8 ports=*" });
        try
        {
            await using var subscriber = await Subscriber.StartAsync(_ => new Reply(200, Body: "internal: db-password=hunter2"));
            var (endpointId, _) = await system.CreateEndpointAsync("body-team", subscriber.Url, ["*"]);

            var id = await system.PublishAsync("body-team", "door.opened");

            await Eventually.HoldsAsync(() => system.GetEventAsync(id), e => e.Deliveries is [{ Status: "delivered" }], "the delivery succeeds");
            var attempt = (await system.Ingest.GetFromJsonAsync<AttemptPage>($"/v1/endpoints/{endpointId}/attempts"))!.Data[0];
            Assert.Equal(200, attempt.StatusCode);
            Assert.Null(attempt.ResponseBody);
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }
}
