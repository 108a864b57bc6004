using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Events;
using Webhooks.Ingest.Quotas;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class QuotaTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private async Task SetQuotasAsync(string tenant, object quotas) =>
        Assert.Equal(HttpStatusCode.OK, (await system.Ingest.PutAsJsonAsync($"/v1/tenants/{tenant}/quotas", quotas)).StatusCode);

    private async Task<HttpResponseMessage> PostEventAsync(string tenant, object? data = null) =>
        await system.Ingest.PostAsJsonAsync("/v1/events", new { type = "load.tick", tenant, data = data ?? new { at = DateTimeOffset.UtcNow } });

    [Fact]
    public async Task A_tenant_publishing_at_ten_times_its_quota_gets_429s_while_another_tenant_is_accepted_and_delivered_in_full()
    {
        await SetQuotasAsync("greedy", new { eventsPerSecond = 10, eventsBurst = 10 });
        await using var greedyReceiver = await Subscriber.StartAsync();
        await using var modestReceiver = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("greedy", greedyReceiver.Url, ["*"]);
        await system.CreateEndpointAsync("modest", modestReceiver.Url, ["*"]);

        // Two seconds at 100 events a second for greedy (ten times its 10/s), 10 a second for modest.
        var greedy = new List<HttpResponseMessage>();
        var modest = new List<HttpResponseMessage>();
        var publishing = System.Diagnostics.Stopwatch.StartNew();
        for (var tick = 0; tick < 20; tick++)
        {
            greedy.AddRange(await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PostEventAsync("greedy"))));
            modest.Add(await PostEventAsync("modest"));
            await Task.Delay(100);
        }

        Assert.All(modest, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var accepted = greedy.Count(r => r.StatusCode == HttpStatusCode.Accepted);
        var refused = greedy.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(greedy.Count, accepted + refused.Count);
        // The burst of 10 and 10 a second over the time it took (about two seconds, longer on a loaded machine); never the 200 it asked for.
        Assert.InRange(accepted, 10, 10 + (int)Math.Ceiling(10 * publishing.Elapsed.TotalSeconds) + 5);
        var first = refused[0];
        Assert.Equal("application/problem+json", first.Content.Headers.ContentType?.MediaType);
        Assert.InRange(int.Parse(first.Headers.GetValues("Retry-After").Single()), 1, 2);
        Assert.Contains("greedy", (await first.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);

        await Eventually.HoldsAsync(() => Task.FromResult(modestReceiver.Received.Count), n => n == modest.Count, "every event of the modest tenant is delivered");
        await Eventually.HoldsAsync(() => Task.FromResult(greedyReceiver.Received.Count), n => n == accepted, "every accepted event of the greedy tenant is delivered");
        // What was refused was never published: nothing more arrives.
        await Eventually.NothingMoreWithinAsync(TimeSpan.FromMilliseconds(500), "a refused event arriving after all");
        Assert.Equal(accepted, greedyReceiver.Received.Count);
    }

    [Fact]
    public async Task A_tenant_keeps_at_most_its_quota_of_dead_letters_the_newest()
    {
        await SetQuotasAsync("dl-capped", new { deadLetters = 3 });
        var (endpointId, _) = await system.CreateEndpointAsync("dl-capped", "https://hooks.example.com/off", ["*"]);
        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null)).EnsureSuccessStatusCode();

        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await system.PublishAsync("dl-capped", "door.closed", new { i }));
            // One at a time, so that which are the newest is clear.
            await Eventually.HoldsAsync(() => system.DeadLettersAsync("tenant=dl-capped"), d => d.Any(x => x.EventId == ids[^1]), "the dead letter is indexed");
        }

        var kept = await system.DeadLettersAsync("tenant=dl-capped");
        Assert.Equal(ids[3..].AsEnumerable().Reverse(), kept.Select(d => d.EventId));
        Assert.Equal(3, await system.Redis.SortedSetLengthAsync(RedisKeys.Tenant.DeadLetters("dl-capped")));
    }

    [Fact]
    public async Task An_endpoints_attempt_log_keeps_at_most_its_tenants_quota_of_bytes_the_newest()
    {
        await SetQuotasAsync("log-capped", new { attemptLogBytes = 2048 });
        await using var receiver = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("log-capped", receiver.Url, ["*"]);

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await system.PublishAsync("log-capped", "log.line", new { i }));
        }
        foreach (var id in ids)
        {
            await Eventually.HoldsAsync(() => system.GetEventAsync(id), e => e.Deliveries is [{ Status: "delivered" }], "the attempt is recorded");
        }

        var stored = await system.Redis.ListRangeAsync(RedisKeys.Endpoint.Attempts(endpointId));
        Assert.InRange(stored.Length, 1, 19);
        Assert.InRange(stored.Sum(a => a.ToString().Length), 1, 2048);
    }

    [Fact]
    public async Task A_replay_of_an_accepted_request_is_answered_again_without_counting_against_the_quota()
    {
        await SetQuotasAsync("replayer", new { eventsPerSecond = 0.01, eventsBurst = 2 });
        async Task<HttpResponseMessage> Keyed()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = JsonContent.Create(new { type = "pay.sent", tenant = "replayer", data = new { amount = 5 } }) };
            request.Headers.Add("Idempotency-Key", "pay-42");
            return await system.Ingest.SendAsync(request);
        }

        var first = (await (await Keyed()).Content.ReadFromJsonAsync<EventAccepted>())!;
        for (var i = 0; i < 5; i++)
        {
            var replay = await Keyed();
            Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
            Assert.Equal(first.Id, (await replay.Content.ReadFromJsonAsync<EventAccepted>())!.Id);
        }

        // The burst of two held the first request, and holds one more.
        Assert.Equal(HttpStatusCode.Accepted, (await PostEventAsync("replayer")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostEventAsync("replayer")).StatusCode);
    }

    [Fact]
    public async Task A_batch_counts_each_event_and_one_larger_than_the_burst_is_413()
    {
        await SetQuotasAsync("batcher", new { eventsPerSecond = 0.1, eventsBurst = 10 });
        var batch = new { events = Enumerable.Range(0, 8).Select(i => new { type = "load.tick", tenant = "batcher", data = new { i } }).ToArray() };

        Assert.Equal(HttpStatusCode.Accepted, (await system.Ingest.PostAsJsonAsync("/v1/events/batch", batch)).StatusCode);
        var over = await system.Ingest.PostAsJsonAsync("/v1/events/batch", batch);
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.True(int.Parse(over.Headers.GetValues("Retry-After").Single()) >= 50);

        var tooLarge = new { events = Enumerable.Range(0, 11).Select(i => new { type = "load.tick", tenant = "batcher", data = new { i } }).ToArray() };
        var refused = await system.Ingest.PostAsJsonAsync("/v1/events/batch", tooLarge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("split it", (await refused.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
    }

    [Fact]
    public async Task Bytes_count_against_their_own_quota()
    {
        await SetQuotasAsync("bulky", new { bytesPerSecond = 1024, bytesBurst = 4096 });
        var payload = new { blob = new string('a', 3000) }; // about 3 KB: one fits the burst of 4 KB, two do not

        Assert.Equal(HttpStatusCode.Accepted, (await PostEventAsync("bulky", payload)).StatusCode);
        var over = await PostEventAsync("bulky", payload);
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.Contains("event bytes", (await over.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        // Smaller events of another tenant are not affected.
        Assert.Equal(HttpStatusCode.Accepted, (await PostEventAsync("slender", payload)).StatusCode);
    }

    [Fact]
    public async Task A_tenant_cannot_create_more_endpoints_than_its_quota_until_it_deletes_one()
    {
        await SetQuotasAsync("crowded", new { endpoints = 2 });
        var (first, _) = await system.CreateEndpointAsync("crowded", "http://127.0.0.1:9/a", ["*"]);
        await system.CreateEndpointAsync("crowded", "http://127.0.0.1:9/b", ["*"]);

        var third = await system.Ingest.PostAsJsonAsync("/v1/endpoints", new { tenant = "crowded", url = "http://127.0.0.1:9/c", eventTypes = new[] { "*" } });
        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        Assert.Contains("2 endpoints", (await third.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        var listed = (await system.Ingest.GetFromJsonAsync<EndpointPage>("/v1/endpoints?tenant=crowded"))!;
        Assert.Equal(2, listed.Data.Count);

        Assert.Equal(HttpStatusCode.NoContent, (await system.Ingest.DeleteAsync($"/v1/endpoints/{first}")).StatusCode);
        await system.CreateEndpointAsync("crowded", "http://127.0.0.1:9/c", ["*"]);
    }

    [Fact]
    public async Task Only_an_operator_sets_quotas_a_tenant_reads_its_own_and_bad_values_change_nothing()
    {
        var created = (await (await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant = "self-served" })).Content.ReadFromJsonAsync<ApiKeyView>())!;
        var tenantAdmin = WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), created.Key);

        Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.PutAsJsonAsync("/v1/tenants/self-served/quotas", new { eventsPerSecond = 1_000_000 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.GetAsync("/v1/tenants/someone-else/quotas")).StatusCode);
        var own = (await tenantAdmin.GetFromJsonAsync<QuotaView>("/v1/tenants/self-served/quotas"))!;
        Assert.Null(own.Overrides.EventsPerSecond);

        var invalid = await system.Ingest.PutAsJsonAsync("/v1/tenants/self-served/quotas", new { eventsPerSecond = 0, eventsBurst = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors;
        Assert.True(errors.ContainsKey("eventsPerSecond") && errors.ContainsKey("eventsBurst"));
        Assert.Equal(HttpStatusCode.BadRequest, (await system.Ingest.PutAsJsonAsync("/v1/tenants/no%20spaces/quotas", new { endpoints = 5 })).StatusCode);
        await SetQuotasAsync("self-served", new { eventsPerSecond = 50 });
        // A misspelt field would otherwise replace the overrides with none at all.
        var misspelt = await system.Ingest.PutAsJsonAsync("/v1/tenants/self-served/quotas", new { eventPerSecond = 1000 });
        Assert.Equal(HttpStatusCode.BadRequest, misspelt.StatusCode);
        Assert.Contains("eventPerSecond", await misspelt.Content.ReadAsStringAsync());

        await SetQuotasAsync("self-served", new { eventsPerSecond = 50 });
        var set = (await tenantAdmin.GetFromJsonAsync<QuotaView>("/v1/tenants/self-served/quotas"))!;
        Assert.Equal(50, set.Quotas.EventsPerSecond);
        Assert.Equal(50, set.Overrides.EventsPerSecond);
    }

    [Fact]
    public async Task Two_ingest_replicas_share_one_quota_even_when_they_take_slices_of_it_ahead()
    {
        // 100 a second with bursts of 100: each replica takes five events ahead at a time.
        await SetQuotasAsync("shared", new { eventsPerSecond = 100, eventsBurst = 100 });
        var second = await system.StartIngestAsync();
        var started = DateTimeOffset.UtcNow;

        var answers = await Task.WhenAll(Enumerable.Range(0, 400).Select(i =>
            (i % 2 == 0 ? system.Ingest : second).PostAsJsonAsync("/v1/events", new { type = "load.tick", tenant = "shared", data = new { i } })));

        var seconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
        var accepted = answers.Count(a => a.StatusCode == HttpStatusCode.Accepted);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests }));
        Assert.InRange(accepted, 100, 100 + 100 * seconds + 10);
    }
}
