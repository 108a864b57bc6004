using System.Net;
using System.Net.Http.Json;
using Webhooks.Core.Storage;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>The retry schedule, compressed by the fixture to 200 ms, 400 ms and 800 ms with ±20 % jitter.</summary>
public sealed class RetryTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(1500);

    [Fact]
    public async Task A_delivery_that_fails_twice_is_retried_on_schedule_and_succeeds_on_the_third_attempt()
    {
        await using var subscriber = await Subscriber.StartAsync(n => n < 2 ? 500 : 200);
        await system.CreateEndpointAsync("retry-twice", subscriber.Url, ["*"]);

        var id = await system.PublishAsync("retry-twice", "job.finished");

        var view = await Eventually.HoldsAsync(() => system.GetEventAsync(id), v => Status(v) == "delivered", "the delivery succeeds");
        var received = subscriber.Received.ToList();
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal(id, r.Id));
        AssertWaited(received[1].At - received[0].At, TimeSpan.FromMilliseconds(200));
        AssertWaited(received[2].At - received[1].At, TimeSpan.FromMilliseconds(400));
        var attempts = view.Deliveries[0].Attempts;
        Assert.Equal([500, 500, 200], attempts.Select(a => a.StatusCode));
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Number));
        Assert.True(attempts[0].NextAttemptAt > attempts[0].At);
        Assert.Null(attempts[2].NextAttemptAt);
    }

    [Fact]
    public async Task An_endpoint_that_always_fails_gets_every_scheduled_attempt_then_one_dead_letter_that_can_be_redriven()
    {
        var healthy = false;
        await using var subscriber = await Subscriber.StartAsync(_ => Volatile.Read(ref healthy) ? 200 : 500);
        var (endpointId, _) = await system.CreateEndpointAsync("always-fails", subscriber.Url, ["*"]);

        var id = await system.PublishAsync("always-fails", "job.failed");

        var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), l => l.Count > 0, "the delivery is dead-lettered"));
        Assert.Equal(4, subscriber.Received.Count);
        Assert.Equal("exhausted", deadLetter.Reason);
        Assert.Equal(id, deadLetter.EventId);
        Assert.Equal(4, deadLetter.LastAttempt!.Number);
        Assert.Equal(500, deadLetter.LastAttempt.StatusCode);
        var shown = await system.Ingest.GetFromJsonAsync<DeadLetterView>($"/v1/dead-letters/{deadLetter.Id}");
        Assert.Equal("job.failed", shown!.EventType);
        Assert.Equal("dead_lettered", Status(await system.GetEventAsync(id)));

        Volatile.Write(ref healthy, true);
        var redrive = await system.Ingest.PostAsync($"/v1/dead-letters/redrive?endpointId={endpointId}", null);

        Assert.Equal(1, (await redrive.Content.ReadFromJsonAsync<RedriveResult>())!.Redriven);
        await Eventually.HoldsAsync(() => system.GetEventAsync(id), v => Status(v) == "delivered", "the redriven delivery succeeds");
        Assert.Equal(5, subscriber.Received.Count);
        Assert.All(subscriber.Received, r => Assert.Equal(id, r.Id));
        Assert.Empty(await system.DeadLettersAsync($"endpointId={endpointId}"));
        // The redriven delivery goes on counting its attempts: the fifth, not a second first.
        var delivery = (await system.GetEventAsync(id)).Deliveries[0];
        Assert.Equal([1, 2, 3, 4, 5], delivery.Attempts.Select(a => a.Number));
    }

    [Fact]
    public async Task A_429_with_retry_after_is_retried_no_earlier_than_it_asks()
    {
        await using var subscriber = await Subscriber.StartAsync(n => n == 0 ? new Reply(429, RetryAfter: "2") : 200);
        await system.CreateEndpointAsync("slow-down", subscriber.Url, ["*"]);

        var id = await system.PublishAsync("slow-down", "burst.sent");

        await Eventually.HoldsAsync(() => system.GetEventAsync(id), v => Status(v) == "delivered", "the delivery succeeds");
        var received = subscriber.Received.ToList();
        Assert.Equal(2, received.Count);
        Assert.True(received[1].At - received[0].At >= TimeSpan.FromSeconds(2), $"retried after {(received[1].At - received[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_redirect_is_a_failed_attempt_and_is_not_followed()
    {
        await using var subscriber = await Subscriber.StartAsync(n => n == 0 ? 302 : 200);
        await system.CreateEndpointAsync("moved", subscriber.Url, ["*"]);

        var id = await system.PublishAsync("moved", "page.moved");

        var view = await Eventually.HoldsAsync(() => system.GetEventAsync(id), v => Status(v) == "delivered", "the delivery succeeds");
        Assert.Equal([302, 200], view.Deliveries[0].Attempts.Select(a => a.StatusCode));
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_and_later_events_are_dead_lettered_without_an_attempt()
    {
        await using var subscriber = await Subscriber.StartAsync(_ => 410);
        var (endpointId, _) = await system.CreateEndpointAsync("gone", subscriber.Url, ["*"]);

        await system.PublishAsync("gone", "user.deleted");
        var disabled = await Eventually.HoldsAsync(() => system.Ingest.GetFromJsonAsync<EndpointView>($"/v1/endpoints/{endpointId}"), e => !e!.Enabled, "the endpoint is disabled");
        Assert.Equal("gone", disabled!.DisabledReason);
        Assert.NotNull(disabled.DisabledAt);
        await system.PublishAsync("gone", "user.deleted");

        var deadLetters = await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), l => l.Count == 2, "both deliveries are dead-lettered");
        Assert.All(deadLetters, d => Assert.Equal("endpoint_disabled", d.Reason));
        Assert.Contains(deadLetters, d => d.LastAttempt is { StatusCode: 410 });
        Assert.Single(subscriber.Received);
    }

    [Fact]
    public async Task Dead_letters_are_filtered_and_bad_queries_are_refused()
    {
        Assert.Empty(await system.DeadLettersAsync("tenant=nobody-here&reason=exhausted"));
        Assert.Equal(HttpStatusCode.BadRequest, (await system.Ingest.GetAsync("/v1/dead-letters?limit=0")).StatusCode);
        var missing = await system.Ingest.GetAsync("/v1/dead-letters/dl_missing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    private static string? Status(EventView view) => view.Deliveries.Count == 1 ? view.Deliveries[0].Status : null;

    private static void AssertWaited(TimeSpan actual, TimeSpan scheduled) =>
        Assert.True(actual >= scheduled * 0.8 && actual <= scheduled * 1.2 + Slack, $"waited {actual.TotalMilliseconds} ms where {scheduled.TotalMilliseconds} ms ±20 % was scheduled");

    [Fact]
    public async Task Two_redrives_racing_send_each_dead_letter_once()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("redrive-race", subscriber.Url, ["*"]);
        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null)).EnsureSuccessStatusCode();
        for (var i = 0; i < 20; i++)
        {
            await system.PublishAsync("redrive-race", "race.run", new { i });
        }
        await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}&limit=100"), l => l.Count == 20, "every delivery is dead-lettered");
        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/enable", null)).EnsureSuccessStatusCode();

        var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
            (await (await system.Ingest.PostAsync($"/v1/dead-letters/redrive?endpointId={endpointId}", null)).Content.ReadFromJsonAsync<RedriveResult>())!.Redriven));

        Assert.Equal(20, both.Sum());
        await subscriber.WaitForAsync(20);
        await Eventually.NothingMoreWithinAsync(TimeSpan.FromSeconds(1), "a dead letter redriven twice");
        Assert.Equal(20, subscriber.Received.Count);
        Assert.Empty(await system.DeadLettersAsync($"endpointId={endpointId}"));
    }

    [Fact]
    public async Task Dead_letters_of_one_event_share_its_stored_data_instead_of_copying_it_per_endpoint()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var endpoints = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (endpointId, _) = await system.CreateEndpointAsync("hoarder", subscriber.Url, ["*"]);
            (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null)).EnsureSuccessStatusCode();
            endpoints.Add(endpointId);
        }
        var blob = new string('z', 50_000);
        var eventId = await system.PublishAsync("hoarder", "archive.stored", new { blob });
        var parked = await Eventually.HoldsAsync(() => system.DeadLettersAsync("tenant=hoarder&limit=100"), l => l.Count == 10, "every delivery is dead-lettered");

        foreach (var deadLetter in parked)
        {
            Assert.InRange(await system.Redis.StringLengthAsync(RedisKeys.DeadLetter.Record(deadLetter.Id)), 1, 5_000);
            Assert.Equal(blob, deadLetter.Delivery!.Data!.Value.GetProperty("blob").GetString());
        }
        // The event is kept as long as its dead letters (30 days), not its own 7.
        Assert.True((await system.Redis.KeyTimeToLiveAsync(RedisKeys.Event.Record(eventId))) > TimeSpan.FromDays(29));

        (await system.Ingest.PostAsync($"/v1/endpoints/{endpoints[0]}/enable", null)).EnsureSuccessStatusCode();
        Assert.Equal(1, (await (await system.Ingest.PostAsync($"/v1/dead-letters/redrive?endpointId={endpoints[0]}", null)).Content.ReadFromJsonAsync<RedriveResult>())!.Redriven);
        await subscriber.WaitForAsync(1);
        Assert.Contains(blob, Assert.Single(subscriber.Received).Body);
    }
}
