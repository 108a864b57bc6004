using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Webhooks.Core.Storage;
using Webhooks.Dispatcher.Admission;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.RateLimiting;
using Webhooks.Dispatcher.Retries;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.IntegrationTests;

public sealed class RateLimitTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task An_endpoint_limited_to_20_per_second_gets_all_300_events_from_three_dispatchers_and_no_5_second_window_holds_more_than_the_limit()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("limited", subscriber.Url, ["*"], new { rateLimit = new { perSecond = 20, burst = 5 } });
        // Three dispatchers: should Redis seem away to one of them, it limits alone at a third of the
        // rate (0.33, not 0.34: three times 0.34 would let 2 % more through).
        var dispatchers = Enumerable.Range(0, 3).Select(_ => system.StartDispatcherProcess(new Dictionary<string, string?> { ["Webhooks:RateLimiting:FallbackFraction"] = "0.33" })).ToList();
        try
        {
            var ids = new HashSet<string>();
            for (var batch = 0; batch < 3; batch++)
            {
                var response = await system.Ingest.PostAsJsonAsync("/v1/events/batch", new { events = Enumerable.Range(0, 100).Select(i => new { type = "meter.read", tenant = "limited", data = new { batch, i } }) });
                ids.UnionWith((await response.Content.ReadFromJsonAsync<EventBatchAccepted>())!.Ids);
            }

            await subscriber.WaitForAsync(300, TimeSpan.FromSeconds(120));

            Assert.Equal(ids, subscriber.Received.Select(r => r.Id).ToHashSet());
            // GCRA admits at most burst + window / interval = 5 + 5 s / 50 ms = 105 requests in any 5 s.
            var sentAt = new Dictionary<string, DateTimeOffset>();
            for (string? after = ""; after is not null;)
            {
                var page = (await system.Ingest.GetFromJsonAsync<AttemptPage>($"/v1/endpoints/{endpointId}/attempts?limit=200{(after == "" ? "" : $"&after={after}")}"))!;
                foreach (var attempt in page.Data)
                {
                    sentAt[attempt.EventId] = attempt.At;
                }
                after = page.NextAfter;
            }
            Assert.Equal(300, sentAt.Count);
            // Redis admits at most 105 in any 5 s of its own clock. A timestamp taken after admission, in
            // a dispatcher, or on arrival, at the receiver, comes after a varying delay (two cores,
            // three dispatchers, the other tests): a window may also hold the requests that the measured
            // spread of that delay lets in — a few, where a limiter that leaked would show hundreds.
            var delays = subscriber.Received.Select(r => r.At - sentAt[r.Id]).ToList();
            var jitter = (int)Math.Ceiling((delays.Max() - delays.Min()).TotalMilliseconds / 50);
            Assert.InRange(Windows.MostIn(sentAt.Values, TimeSpan.FromSeconds(5)), 1, 105 + jitter);
            Assert.InRange(Windows.MostIn(subscriber.Received.Select(r => r.At), TimeSpan.FromSeconds(5)), 1, 105 + jitter);
        }
        finally
        {
            foreach (var dispatcher in dispatchers)
            {
                dispatcher.Kill(entireProcessTree: true);
                await dispatcher.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task At_most_burst_plus_rate_times_T_requests_begin_in_any_window_T_where_the_subscriber_counts_them()
    {
        // The receiver a process of its own (webhooks listen), timing each arrival; three dispatcher processes, cold at
        // the start (their first requests make connections and compile code while later ones are admitted).
        await using var receiver = await ListenProcess.StartReceiverAsync();
        // A warm receiver, as a subscriber counting requests is: a cold one stamps its first requests late, together.
        using (var warmUp = new HttpClient())
        {
            for (var i = 0; i < 20; i++)
            {
                await warmUp.PostAsync(receiver.Url + "/warm-up", new StringContent("{}"));
            }
        }
        var (endpointId, _) = await system.CreateEndpointAsync("limited-receiver", receiver.Url, ["*"], new { rateLimit = new { perSecond = 10, burst = 5 } });
        var dispatchers = Enumerable.Range(0, 3).Select(_ => system.StartDispatcherProcess()).ToList();
        try
        {
            var ids = new HashSet<string>();
            foreach (var count in new[] { 100, 20 })
            {
                var response = await system.Ingest.PostAsJsonAsync("/v1/events/batch", new { events = Enumerable.Range(0, count).Select(i => new { type = "meter.read", tenant = "limited-receiver", data = new { count, i } }) });
                ids.UnionWith((await response.Content.ReadFromJsonAsync<EventBatchAccepted>())!.Ids);
            }

            var received = await Eventually.HoldsAsync(() => Task.FromResult(Webhooks(receiver)), r => r.Count >= 120, "the 120 webhooks arrived at the receiver", TimeSpan.FromSeconds(120));

            Assert.Equal(ids, received.Select(r => r.GetProperty("webhookId").GetString()!).ToHashSet());
            var arrivals = received.Select(r => r.GetProperty("receivedAt").GetDateTimeOffset()).ToList();
            foreach (var window in new[] { 0.1, 0.25, 0.5, 1, 2, 5 })
            {
                var most = Windows.MostIn(arrivals, TimeSpan.FromSeconds(window));
                Assert.True(most <= 5 + 10 * window, $"{most} requests began within {window} s at the receiver, more than burst 5 + 10/s × {window} s; arrivals (ms): {string.Join(" ", arrivals.Order().Select(a => (a - arrivals.Min()).TotalMilliseconds.ToString("0")))}");
            }
        }
        finally
        {
            foreach (var dispatcher in dispatchers)
            {
                dispatcher.Kill(entireProcessTree: true);
                await dispatcher.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task A_hanging_endpoint_holds_only_its_share_of_consumers_while_a_healthy_one_keeps_flowing()
    {
        await using var hanging = await Subscriber.StartAsync(_ => new Reply(200, Delay: TimeSpan.FromSeconds(30)));
        await using var healthy = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("isolated", hanging.Url, ["hang.*"], new { timeoutSeconds = 5, maxInFlight = 4 });
        await system.CreateEndpointAsync("isolated", healthy.Url, ["fine.*"]);
        // Few consumers, so that without the cap the hanging endpoint would take them all.
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Dispatcher:DeliveryConcurrency"] = "8" });
        try
        {
            for (var i = 0; i < 40; i++)
            {
                await system.PublishAsync("isolated", "hang.up", new { i });
            }
            await hanging.WaitForAsync(4);
            var firstHang = hanging.Received.Min(r => r.At);
            for (var i = 0; i < 40; i++)
            {
                await system.PublishAsync("isolated", "fine.thanks", new { i });
            }

            await healthy.WaitForAsync(40);

            // Every healthy delivery arrived while the first hanging requests were still waiting for their 5 s timeout.
            Assert.True(healthy.Received.Max(r => r.At) < firstHang.AddSeconds(5), "the healthy endpoint waited for the hanging one");
            Assert.InRange(hanging.MaxInFlight, 1, 4);
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }
    [Fact]
    public async Task Deliveries_that_find_an_endpoint_at_its_cap_take_turns_paced_at_cap_over_request_time_within_bounds()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(system.Servers.Redis);
        var storage = new RedisStorage(redis, Options.Create(new StorageOptions { KeyPrefix = system.KeyPrefix }));
        var bounds = new RateLimitOptions { InFlightRetryDelay = TimeSpan.Zero, MaxInFlightWait = TimeSpan.FromSeconds(2) };
        var limiter = new InFlightLimiter(storage, new RedisCircuit(NullLogger<RedisCircuit>.Instance));
        // The limiter reserves the turn in Redis; admission bounds it (a fixed clock, so the wait reads exactly).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var policy = new AdmissionPolicy(Options.Create(bounds), Options.Create(new RetryOptions()), new DelayLadder(Options.Create(new DelayTierOptions()), Options.Create(new BrokerOptions()), clock), clock);
        async Task<TimeSpan> TurnAsync(string endpointId, int cap) => policy.AtInFlightCap(await limiter.ReserveTurnAsync(endpointId, cap)).Until - clock.GetUtcNow();
        limiter.Observe("ep_paced", TimeSpan.FromMilliseconds(100));

        // Cap 10 at 100 ms a request: one turn every 10 ms.
        var turns = new List<TimeSpan>();
        var taking = new System.Diagnostics.Stopwatch();
        for (var i = 0; i < 50; i++)
        {
            turns.Add(await TurnAsync("ep_paced", 10));
            taking.Start();
        }
        taking.Stop();
        // Time passes while the turns are taken (each later turn is that much nearer): added back, the turns are 10 ms apart,
        // however busy the machine.
        var spacing = ((turns[^1] - turns[0]) + taking.Elapsed).TotalMilliseconds / 49;

        Assert.InRange(turns[0].TotalMilliseconds, 0, 10);
        Assert.InRange(spacing, 9, 11);
        // A hanging endpoint (60 s a request): the next turn would be minutes away, and is bounded.
        limiter.Observe("ep_hanging", TimeSpan.FromSeconds(60));
        await TurnAsync("ep_hanging", 4);
        Assert.Equal(bounds.MaxInFlightWait, await TurnAsync("ep_hanging", 4));
    }

    /// <summary>What the receiver got from the platform (its warm-up requests left out).</summary>
    private static List<System.Text.Json.JsonElement> Webhooks(ListenProcess receiver) =>
        [.. receiver.Received.Where(r => r.GetProperty("path").GetString() == "/hook")];
}

public static class Windows
{
    /// <summary>The most timestamps that fall in any window of the given length.</summary>
    public static int MostIn(IEnumerable<DateTimeOffset> times, TimeSpan window)
    {
        var sorted = times.Order().ToList();
        var most = 0;
        for (int start = 0, end = 0; start < sorted.Count; start++)
        {
            while (end < sorted.Count && sorted[end] - sorted[start] < window)
            {
                end++;
            }
            most = Math.Max(most, end - start);
        }
        return most;
    }

}
