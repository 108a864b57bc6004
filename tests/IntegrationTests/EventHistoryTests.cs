using System.Net;
using System.Net.Http.Json;
using Webhooks.Ingest.Deliveries;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>An SRE's questions about events: which, in what state, and "send it again".</summary>
public sealed class EventHistoryTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private async Task<List<string>> ListAsync(string query) =>
        [.. (await system.Ingest.GetFromJsonAsync<EventList>($"/v1/events?{query}"))!.Data.Select(e => e.Id)];

    [Fact]
    public async Task A_tenants_events_are_listed_newest_first_by_type_status_and_time()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("history", subscriber.Url, ["order.*"]);
        var before = DateTimeOffset.UtcNow;
        var first = await system.PublishAsync("history", "order.created");
        var second = await system.PublishAsync("history", "order.created");
        var unheard = await system.PublishAsync("history", "invoice.paid");
        await subscriber.WaitForAsync(2);

        Assert.Equal([unheard, second, first], await ListAsync("tenant=history"));
        Assert.Equal([second, first], await ListAsync("tenant=history&type=order.created"));
        Assert.Equal([second, first], await Eventually.HoldsAsync(() => ListAsync("tenant=history&status=delivered"), l => l.Count == 2, "both orders are delivered"));
        Assert.Equal([unheard], await Eventually.HoldsAsync(() => ListAsync("tenant=history&status=no_endpoints"), l => l.Count == 1, "the invoice found no endpoint"));
        Assert.Empty(await ListAsync($"tenant=history&until={Uri.EscapeDataString(before.ToString("O"))}"));
        var paged = await system.Ingest.GetFromJsonAsync<EventList>("/v1/events?tenant=history&limit=2");
        Assert.Equal([first], await ListAsync($"tenant=history&limit=2&after={paged!.NextAfter}"));
    }

    [Theory]
    [InlineData("status=lost&tenant=history")]
    [InlineData("tenant=history&since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z")]
    [InlineData("type=order.created")]
    [InlineData("tenant=history&after=garbage")]
    public async Task A_bad_query_gets_a_problem(string query)
    {
        var response = await system.Ingest.GetAsync($"/v1/events?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_event_is_resent_to_an_endpoint_with_the_same_webhook_id_and_its_attempts_go_on_counting()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("resend", subscriber.Url, ["*"], new { description = "billing receiver" });
        var id = await system.PublishAsync("resend", "invoice.sent");
        await subscriber.WaitForAsync(1);
        await Eventually.HoldsAsync(() => system.GetEventAsync(id), e => e.Deliveries[0].AttemptCount == 1, "the first attempt is recorded");

        var resent = await system.Ingest.PostAsync($"/v1/events/{id}/endpoints/{endpointId}/resend", null);

        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        Assert.Equal(2, (await resent.Content.ReadFromJsonAsync<ResendAccepted>())!.Attempt);
        await subscriber.WaitForAsync(2);
        Assert.All(subscriber.Received, r => Assert.Equal(id, r.Id));
        var delivery = (await Eventually.HoldsAsync(() => system.GetEventAsync(id), e => e.Deliveries[0].AttemptCount == 2, "the resend is recorded"))
            .Deliveries[0];
        Assert.Equal([1, 2], delivery.Attempts.Select(a => a.Number));
        Assert.Equal("billing receiver", delivery.Endpoint?.Description);
        Assert.Equal(new Uri(subscriber.Url).GetLeftPart(UriPartial.Authority) + "/…", delivery.Endpoint?.Url);
    }

    [Fact]
    public async Task A_resend_to_a_deleted_disabled_or_other_tenants_endpoint_is_refused_and_sends_nothing()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var id = await system.PublishAsync("resend-refused", "invoice.sent");
        var (deleted, _) = await system.CreateEndpointAsync("resend-refused", subscriber.Url, ["nothing.*"]);
        await system.Ingest.DeleteAsync($"/v1/endpoints/{deleted}");
        var (disabled, _) = await system.CreateEndpointAsync("resend-refused", subscriber.Url, ["nothing.*"]);
        await system.Ingest.PostAsync($"/v1/endpoints/{disabled}/disable", null);
        var (foreign, _) = await system.CreateEndpointAsync("someone-else", subscriber.Url, ["nothing.*"]);

        foreach (var (endpointId, status) in new[] { (deleted, HttpStatusCode.NotFound), (disabled, HttpStatusCode.Conflict), (foreign, HttpStatusCode.UnprocessableEntity), ("ep_nope", HttpStatusCode.NotFound) })
        {
            var response = await system.Ingest.PostAsync($"/v1/events/{id}/endpoints/{endpointId}/resend", null);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await system.Ingest.PostAsync($"/v1/events/evt_missing/endpoints/{foreign}/resend", null)).StatusCode);
        await Eventually.NothingMoreWithinAsync(TimeSpan.FromMilliseconds(500), "a refused resend delivering anyway");
        Assert.Empty(subscriber.Received);
    }

    [Fact]
    public async Task A_failed_connection_says_why_and_a_dead_letter_shows_its_event()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var (endpointId, _) = await system.CreateEndpointAsync("nobody-home", $"http://127.0.0.1:{port}/hook", ["*"]);
        var id = await system.PublishAsync("nobody-home", "door.knocked", new { knock = 3 });

        var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), d => d.Count == 1, "the delivery is dead-lettered"));
        var attempt = (await system.GetEventAsync(id)).Deliveries[0].Attempts[0];

        Assert.Equal(("connection_failed", "connection refused: nothing listens on that port"), (attempt.Error, attempt.ErrorDetail));
        Assert.Equal("connection refused: nothing listens on that port", deadLetter.LastAttempt?.ErrorDetail);
        var published = deadLetter.Event!;
        Assert.Equal((id, "door.knocked", 3), (published.EventId, published.Type, published.Data!.Value.GetProperty("knock").GetInt32()));
    }
}
