using System.Net;
using System.Net.Http.Json;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class DeliveryTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    [Fact]
    public async Task Events_reach_exactly_the_endpoints_whose_tenant_and_filter_match_signed_for_an_independent_verifier()
    {
        await using var orders = await Subscriber.StartAsync();
        await using var everything = await Subscriber.StartAsync();
        await using var billing = await Subscriber.StartAsync();
        var (_, ordersSecret) = await system.CreateEndpointAsync("acme", orders.Url, ["order.*"]);
        var (_, everythingSecret) = await system.CreateEndpointAsync("acme", everything.Url, ["*"]);
        var (_, billingSecret) = await system.CreateEndpointAsync("globex", billing.Url, ["invoice.paid", "order.created"]);

        string[] types = ["order.created", "order.shipped", "invoice.paid", "customer.deleted"];
        var events = Enumerable.Range(0, 100).Select(i => (Tenant: i % 2 == 0 ? "acme" : "globex", Type: types[i / 2 % types.Length], Index: i)).ToList();
        var ids = new string[events.Count];
        await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, _) =>
            ids[e.Index] = await system.PublishAsync(e.Tenant, e.Type, new { index = e.Index }));

        var expectOrders = events.Where(e => e.Tenant == "acme" && e.Type.StartsWith("order.", StringComparison.Ordinal)).Select(e => ids[e.Index]).ToHashSet();
        var expectEverything = events.Where(e => e.Tenant == "acme").Select(e => ids[e.Index]).ToHashSet();
        var expectBilling = events.Where(e => e.Tenant == "globex" && e.Type is "invoice.paid" or "order.created").Select(e => ids[e.Index]).ToHashSet();
        await orders.WaitForAsync(expectOrders.Count);
        await everything.WaitForAsync(expectEverything.Count);
        await billing.WaitForAsync(expectBilling.Count);
        // Give a stray (wrongly matched) delivery the chance to show up before counting.
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-delivery"), depth => depth == 0, "the delivery queue is empty");

        AssertReceivedExactly(orders, expectOrders, ordersSecret);
        AssertReceivedExactly(everything, expectEverything, everythingSecret);
        AssertReceivedExactly(billing, expectBilling, billingSecret);
        // The documented headers and no others: nothing of the bus (MassTransit's baggage) reaches a subscriber.
        string[] documented = ["host", "content-type", "content-length", "webhook-id", "webhook-timestamp", "webhook-signature", "traceparent", "tracestate", "user-agent"];
        Assert.All(orders.Received.Concat(everything.Received), r => Assert.Empty(r.Headers.Keys.Select(k => k.ToLowerInvariant()).Except(documented)));
    }

    [Fact]
    public async Task An_event_shows_each_delivery_with_its_attempts()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("initech", subscriber.Url, ["report.filed"]);

        var id = await system.PublishAsync("initech", "report.filed");

        var view = await Eventually.HoldsAsync(() => system.GetEventAsync(id),
            v => v.Deliveries is [{ Status: "delivered" }],
            "the delivery is recorded as delivered");
        var delivery = view.Deliveries[0];
        var attempt = Assert.Single(delivery.Attempts);
        Assert.Equal(endpointId, delivery.EndpointId);
        Assert.StartsWith("dlv_", delivery.Id);
        Assert.Equal(200, attempt.StatusCode);
        Assert.Equal(1, attempt.Number);
        Assert.Equal(32, attempt.TraceId!.Length);

        var received = Assert.Single(subscriber.Received);
        Assert.Equal(id, received.Id);
        Assert.Contains(attempt.TraceId!, received.Headers["traceparent"].ToString());
        Assert.StartsWith("Webhooks/", received.Headers["User-Agent"].ToString());

        var attempts = await system.Ingest.GetFromJsonAsync<AttemptPage>($"/v1/endpoints/{endpointId}/attempts");
        Assert.Equal(id, Assert.Single(attempts!.Data).EventId);
    }

    [Fact]
    public async Task A_failing_endpoint_ends_in_dead_letters_with_its_reason_while_a_healthy_one_still_gets_the_event()
    {
        await using var broken = await Subscriber.StartAsync(_ => 500);
        await using var healthy = await Subscriber.StartAsync();
        var (brokenId, _) = await system.CreateEndpointAsync("umbrella", broken.Url, ["alarm.raised"]);
        await system.CreateEndpointAsync("umbrella", healthy.Url, ["alarm.raised"]);

        var id = await system.PublishAsync("umbrella", "alarm.raised");

        await healthy.WaitForAsync(1);
        var view = await Eventually.HoldsAsync(() => system.GetEventAsync(id),
            v => v.Deliveries.Any(d => d.Status == "dead_lettered"),
            "the failed delivery is dead-lettered");
        var failed = view.Deliveries.Single(d => d.EndpointId == brokenId);
        Assert.Equal("exhausted", failed.DeadLetterReason);
        Assert.All(failed.Attempts, a => Assert.Equal(500, a.StatusCode));

        var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={brokenId}"), l => l.Count > 0, "the dead letter is indexed"));
        Assert.Equal(id, deadLetter.EventId);
        Assert.Equal("exhausted", deadLetter.Reason);
        Assert.Equal(brokenId, deadLetter.Delivery?.EndpointId);
        Assert.Single(healthy.Received);
        Assert.Equal(500, deadLetter.LastAttempt?.StatusCode);
    }

    [Fact]
    public async Task A_disabled_endpoint_gets_nothing_and_thin_endpoints_get_the_resource_with_their_custom_headers()
    {
        await using var disabled = await Subscriber.StartAsync();
        await using var thin = await Subscriber.StartAsync();
        var (disabledId, _) = await system.CreateEndpointAsync("hooli", disabled.Url, ["*"]);
        await system.CreateEndpointAsync("hooli", thin.Url, ["*"], new { payload = "thin", headers = new Dictionary<string, string> { ["x-team"] = "platform" } });
        (await system.Ingest.PostAsync($"/v1/endpoints/{disabledId}/disable", null)).EnsureSuccessStatusCode();

        var response = await system.Ingest.PostAsJsonAsync("/v1/events", new { type = "user.created", tenant = "hooli", data = new { secret = "x" }, resource = "https://api.hooli.example/users/7" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var received = (await Eventually.HoldsAsync(() => Task.FromResult(thin.Received.ToList()), l => l.Count == 1, "the thin endpoint got the event")).Single();
        Assert.Equal("https://api.hooli.example/users/7", received.Json.GetProperty("resource").GetString());
        Assert.False(received.Json.TryGetProperty("data", out _));
        Assert.Equal("platform", received.Headers["x-team"].ToString());
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-delivery"), depth => depth == 0, "the delivery queue is empty");
        Assert.Empty(disabled.Received);
    }

    [Fact]
    public async Task A_batch_is_accepted_whole_or_refused_whole()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("vandelay", subscriber.Url, ["*"]);

        var refused = await system.Ingest.PostAsJsonAsync("/v1/events/batch", new { events = new object[] { new { type = "import.done", tenant = "vandelay", data = new { } }, new { type = "Not A Type", tenant = "vandelay", data = new { } } } });
        var accepted = await system.Ingest.PostAsJsonAsync("/v1/events/batch", new { events = Enumerable.Range(0, 3).Select(i => new { type = "export.done", tenant = "vandelay", data = new { i } }) });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("events[1].type", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var ids = (await accepted.Content.ReadFromJsonAsync<EventBatchAccepted>())!.Ids.ToHashSet();
        await subscriber.WaitForAsync(3);
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-delivery"), depth => depth == 0, "the delivery queue is empty");
        Assert.Equal(ids, subscriber.Received.Select(r => r.Id).ToHashSet());
        Assert.All(subscriber.Received, r => Assert.Equal("export.done", r.Json.GetProperty("type").GetString()));
    }

    private static void AssertReceivedExactly(Subscriber subscriber, HashSet<string> expected, string secret)
    {
        var received = subscriber.Received.ToList();
        Assert.Equal(expected.Count, received.Count);
        Assert.Equal(expected, received.Select(r => r.Id).ToHashSet());
        Assert.All(received, r =>
        {
            Assert.True(r.VerifiesWith(secret), $"signature of {r.Id} does not verify");
            Assert.Equal(r.Id, r.Json.GetProperty("id").GetString());
        });
    }

    [Fact]
    public async Task An_endpoint_attempt_log_expires_with_the_retention_and_goes_with_the_endpoint()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("logged", subscriber.Url, ["*"]);
        await system.PublishAsync("logged", "log.written");
        await subscriber.WaitForAsync(1);
        var log = RedisKeys.Endpoint.Attempts(endpointId);
        await Eventually.HoldsAsync(() => system.Redis.KeyExistsAsync(log), exists => exists, "the attempt is logged");

        Assert.InRange((await system.Redis.KeyTimeToLiveAsync(log))!.Value, TimeSpan.FromDays(6), TimeSpan.FromDays(7));
        Assert.Equal(HttpStatusCode.NoContent, (await system.Ingest.DeleteAsync($"/v1/endpoints/{endpointId}")).StatusCode);
        Assert.False(await system.Redis.KeyExistsAsync(log));
    }
}
