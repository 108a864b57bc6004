using System.Net;
using System.Net.Http.Json;
using Webhooks.Core.Endpoints;
using Webhooks.Ingest.Deliveries;
using Webhooks.Ingest.Jobs;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>"Replay everything endpoint Z failed since 03:00": exactly the failed deliveries of the window, again.</summary>
public sealed class RecoverTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task A_recover_since_a_time_re_delivers_exactly_the_failed_deliveries_of_that_window()
    {
        var dispatcher = await system.StartDispatcherAsync();
        try
        {
            var healthy = false;
            await using var subscriber = await Subscriber.StartAsync(_ => Volatile.Read(ref healthy) ? 200 : 500);
            var (endpointId, _) = await system.CreateEndpointAsync("recover", subscriber.Url, ["*"]);
            async Task DeadLetteredAsync(params string[] ids) => await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"),
                d => ids.All(id => d.Any(x => x.EventId == id)), "the deliveries are dead-lettered");

            var before = await system.PublishAsync("recover", "sync.failed", new { n = "before" });
            await DeadLetteredAsync(before);
            var since = DateTimeOffset.UtcNow;
            var inWindow = new[] { await system.PublishAsync("recover", "sync.failed", new { n = 1 }), await system.PublishAsync("recover", "sync.failed", new { n = 2 }) };
            await DeadLetteredAsync(inWindow);
            Volatile.Write(ref healthy, true);
            var succeeded = await system.PublishAsync("recover", "sync.ok");
            await Eventually.HoldsAsync(() => Task.FromResult(subscriber.Received.Count(r => r.Id == succeeded)), n => n == 1, "the healthy event arrives");

            var recovered = await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/recover?since={Uri.EscapeDataString(since.ToString("O"))}", null);

            Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
            var result = (await recovered.Content.ReadFromJsonAsync<RecoverResult>())!;
            Assert.Equal((2, 0, true), (result.Redriven, result.Resent, result.Complete));
            foreach (var id in inWindow)
            {
                await Eventually.HoldsAsync(() => Task.FromResult(subscriber.Received.Count(r => r.Id == id)), n => n == 5, "the recovered delivery arrives once more");
            }
            await Eventually.NothingMoreWithinAsync(TimeSpan.FromMilliseconds(500), "a delivery recovered twice");
            Assert.Equal((4, 1), (subscriber.Received.Count(r => r.Id == before), subscriber.Received.Count(r => r.Id == succeeded)));
            Assert.Equal(before, Assert.Single(await system.DeadLettersAsync($"endpointId={endpointId}")).EventId);
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Fact]
    public async Task A_delivery_waiting_for_its_next_retry_is_sent_now_by_a_recover()
    {
        // A retry ten minutes after the first failure: the delivery waits in the delay queues meanwhile.
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Retries:Schedule:0"] = "00:10:00" });
        try
        {
            var healthy = false;
            await using var subscriber = await Subscriber.StartAsync(_ => Volatile.Read(ref healthy) ? 200 : 503);
            var (endpointId, _) = await system.CreateEndpointAsync("recover-waiting", subscriber.Url, ["*"]);
            var since = DateTimeOffset.UtcNow;
            var id = await system.PublishAsync("recover-waiting", "sync.failed");
            await Eventually.HoldsAsync(() => system.GetEventAsync(id), e => e.Deliveries is [{ Status: "failed" }], "the first attempt fails");
            Volatile.Write(ref healthy, true);
            Assert.Equal(1, (await system.Ingest.GetFromJsonAsync<EndpointStatsView>($"/v1/endpoints/{endpointId}/stats"))!.Pending);

            var result = (await (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/recover?since={Uri.EscapeDataString(since.ToString("O"))}", null)).Content.ReadFromJsonAsync<RecoverResult>())!;

            Assert.Equal((0, 1), (result.Redriven, result.Resent));
            await Eventually.HoldsAsync(() => Task.FromResult(subscriber.Received.Count(r => r.Id == id)), n => n == 2, "the waiting delivery is sent now");
            var delivery = (await Eventually.HoldsAsync(() => system.GetEventAsync(id), e => e.Deliveries[0].Status == "delivered", "it is delivered")).Deliveries[0];
            Assert.Equal([1, 2], delivery.Attempts.Select(a => a.Number));
            Assert.Equal(0, (await system.Ingest.GetFromJsonAsync<EndpointStatsView>($"/v1/endpoints/{endpointId}/stats"))!.Pending);
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Fact]
    public async Task A_replay_delivers_the_events_an_endpoint_never_got_and_nothing_twice()
    {
        var dispatcher = await system.StartDispatcherAsync();
        try
        {
            await using var late = await Subscriber.StartAsync();
            var since = DateTimeOffset.UtcNow;
            // A test sent to another endpoint of the tenant, of a type this one takes: an example, never replayed.
            await using var tester = await Subscriber.StartAsync();
            var (otherId, _) = await system.CreateEndpointAsync("replay", tester.Url, ["order.*"]);
            (await system.Ingest.PostAsJsonAsync($"/v1/endpoints/{otherId}/test", new { type = "order.tested", data = new { n = 1 } })).EnsureSuccessStatusCode();
            var before = new[] { await system.PublishAsync("replay", "order.placed"), await system.PublishAsync("replay", "order.paid") };
            var unsubscribed = await system.PublishAsync("replay", "invoice.sent");
            await Eventually.HoldsAsync(() => system.GetEventAsync(before[1]), _ => true, "stored");
            var (endpointId, _) = await system.CreateEndpointAsync("replay", late.Url, ["order.*"]);
            var after = await system.PublishAsync("replay", "order.shipped");
            await late.WaitForAsync(1);
            (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null)).EnsureSuccessStatusCode();
            var whileOff = await system.PublishAsync("replay", "order.cancelled");
            await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), d => d.Count == 1, "the event sent while it was off is dead-lettered");
            (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/enable", null)).EnsureSuccessStatusCode();

            var run = await CliRun.RunAsync(system, ["replay", "--endpoint", endpointId, "--since", since.ToString("O"), "--json"]);
            var again = await CliRun.RunAsync(system, ["replay", "--endpoint", endpointId, "--since", since.ToString("O"), "--json"]);

            var (first, second) = (run.As<Job>().Counts, again.As<Job>().Counts);
            Assert.Equal((0, 2L, 1L), (run.ExitCode, first["replayed"], first["redriven"]));
            Assert.Equal((0L, 0L), (second["replayed"], second["redriven"]));
            await late.WaitForAsync(4);
            await Eventually.NothingMoreWithinAsync(TimeSpan.FromMilliseconds(500), "an event replayed twice");
            // Each once: the one it got, the two from before it existed, the one from while it was off.
            Assert.Equal(new[] { after, before[0], before[1], whileOff }.Order(), late.Received.Select(r => r.Id).Order());
            Assert.DoesNotContain(unsubscribed, late.Received.Select(r => r.Id));
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z")]
    public async Task A_recover_without_a_window_or_with_one_the_wrong_way_round_is_refused(string query)
    {
        var (endpointId, _) = await system.CreateEndpointAsync("recover-bad", "https://hooks.example.com/r", ["*"]);

        var response = await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/recover{query}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
