using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>The platform's own events (endpoint disabled and enabled, deliveries dead-lettered and recovered), delivered to the tenant's subscribers.</summary>
public sealed class OperationalEventsTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    [Fact]
    public async Task An_operational_webhook_reaches_a_subscribed_listen_when_an_endpoint_is_disabled()
    {
        await using var listen = await ListenProcess.StartAsync(system, "ops", "--event-types", "webhooks.endpoint.disabled");
        await using var gone = await Subscriber.StartAsync(_ => 410);
        var (endpointId, _) = await system.CreateEndpointAsync("ops", gone.Url, ["order.*"]);

        await system.PublishAsync("ops", "order.placed");

        // listen prints a webhook over several lines, read here one at a time: waited for is a line of its body, not its first.
        var printed = await listen.WaitForAsync(endpointId, "the operational webhook arrives, its body printed");
        Assert.Contains("webhooks.endpoint.disabled", printed);
        Assert.Contains("✔ verified", printed);
        Assert.DoesNotContain("order.placed", printed);
    }

    [Fact]
    public async Task Dead_lettered_recovered_and_enabled_are_announced_to_the_tenants_subscribers_only()
    {
        await using var operations = await Subscriber.StartAsync();
        await using var everything = await Subscriber.StartAsync();
        await using var otherTenant = await Subscriber.StartAsync();
        var healthy = false;
        await using var flaky = await Subscriber.StartAsync(_ => Volatile.Read(ref healthy) ? 200 : 500);
        await system.CreateEndpointAsync("ops-audit", operations.Url, ["webhooks.*"]);
        await system.CreateEndpointAsync("ops-audit", everything.Url, ["*"]);
        await system.CreateEndpointAsync("ops-elsewhere", otherTenant.Url, ["webhooks.*"]);
        var (flakyId, _) = await system.CreateEndpointAsync("ops-audit", flaky.Url, ["job.*"]);

        var id = await system.PublishAsync("ops-audit", "job.failed");
        var deadLettered = await Eventually.HoldsAsync(() => Task.FromResult(operations.Received.FirstOrDefault(r => r.Json.GetProperty("type").GetString() == "webhooks.delivery.dead_lettered")),
            r => r is not null, "the dead letter is announced");
        Volatile.Write(ref healthy, true);
        (await system.Ingest.PostAsync($"/v1/dead-letters/redrive?endpointId={flakyId}", null)).EnsureSuccessStatusCode();
        var recovered = await Eventually.HoldsAsync(() => Task.FromResult(operations.Received.FirstOrDefault(r => r.Json.GetProperty("type").GetString() == "webhooks.delivery.recovered")),
            r => r is not null, "the recovery is announced");
        (await system.Ingest.PostAsync($"/v1/endpoints/{flakyId}/disable", null)).EnsureSuccessStatusCode();
        (await system.Ingest.PostAsync($"/v1/endpoints/{flakyId}/enable", null)).EnsureSuccessStatusCode();
        var enabled = await Eventually.HoldsAsync(() => Task.FromResult(operations.Received.FirstOrDefault(r => r.Json.GetProperty("type").GetString() == "webhooks.endpoint.enabled")),
            r => r is not null, "the switch back on is announced");

        Assert.Equal((id, flakyId, "exhausted"), (deadLettered!.Json.GetProperty("data").GetProperty("eventId").GetString(), deadLettered.Json.GetProperty("data").GetProperty("endpointId").GetString(), deadLettered.Json.GetProperty("data").GetProperty("reason").GetString()));
        Assert.Equal((id, 5), (recovered!.Json.GetProperty("data").GetProperty("eventId").GetString(), recovered.Json.GetProperty("data").GetProperty("attempts").GetInt32()));
        Assert.Equal(flakyId, enabled!.Json.GetProperty("data").GetProperty("endpointId").GetString());
        Assert.All(operations.Received, r => Assert.Equal("ops-audit", r.Json.GetProperty("tenant").GetString()));
        // '*' is the tenant's own events; the platform's are asked for by name.
        Assert.Equal(["job.failed"], everything.Received.Select(r => r.Json.GetProperty("type").GetString()).Distinct());
        Assert.Empty(otherTenant.Received);
    }

    [Fact]
    public async Task A_tenant_cannot_publish_an_event_of_the_platforms_own_types()
    {
        var response = await system.Ingest.PostAsJsonAsync("/v1/events", new { type = "webhooks.endpoint.disabled", tenant = "ops-forger", data = new { endpointId = "ep_x" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("platform's own", await response.Content.ReadAsStringAsync());
    }
}

/// <summary><c>webhooks.endpoint.failing</c>: once per run of failures, long before the endpoint is disabled.</summary>
public sealed class FailingEndpointTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task An_endpoint_failing_longer_than_the_threshold_is_announced_once()
    {
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Retries:FailingAnnounceAfter"] = "00:00:00.300" });
        try
        {
            await using var operations = await Subscriber.StartAsync();
            await using var failing = await Subscriber.StartAsync(_ => 500);
            await system.CreateEndpointAsync("failing-ops", operations.Url, ["webhooks.endpoint.failing"]);
            var (failingId, _) = await system.CreateEndpointAsync("failing-ops", failing.Url, ["job.*"]);

            await system.PublishAsync("failing-ops", "job.failed", new { n = 1 });
            await system.PublishAsync("failing-ops", "job.failed", new { n = 2 });
            await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={failingId}"), d => d.Count == 2, "both deliveries run out of attempts");
            await Eventually.NothingMoreWithinAsync(TimeSpan.FromMilliseconds(500), "a second announcement of the same run of failures");

            var announced = Assert.Single(operations.Received);
            Assert.Equal("webhooks.endpoint.failing", announced.Json.GetProperty("type").GetString());
            Assert.Equal(failingId, announced.Json.GetProperty("data").GetProperty("endpointId").GetString());
            Assert.True(announced.Json.GetProperty("data").GetProperty("disabledAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(4));
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }
}
