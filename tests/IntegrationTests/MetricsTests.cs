using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>What Prometheus scrapes: counters at zero from the start, refusals by reason, histograms in buckets that fit.</summary>
public sealed class MetricsTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    /// <summary>The value of the first series of <paramref name="name"/> whose labels include every one of <paramref name="labels"/> (NaN when none).</summary>
    private static double Value(string metrics, string name, params string[] labels) => PrometheusText.Value(metrics, name, labels);

    [Fact]
    public async Task Counters_start_at_zero_refusals_are_counted_by_reason_and_lag_is_in_seconds_buckets()
    {
        var dispatcher = await system.StartDispatcherAsync();
        try
        {
            using var dispatcherHttp = new HttpClient { BaseAddress = new Uri(dispatcher.Urls.Single()) };
            var before = await system.Ingest.GetStringAsync("/metrics");
            // Shown before any happened (other tests' hosts in this process share the instruments, so only "there" is asserted).
            Assert.False(double.IsNaN(Value(await dispatcherHttp.GetStringAsync("/metrics"), "webhooks_delivery_dead_lettered_total", "reason=\"blocked_destination\"")));
            Assert.False(double.IsNaN(Value(before, "webhooks_ingest_requests_refused_total", "reason=\"over_quota\"")));

            (await system.Ingest.PostAsJsonAsync("/v1/events", new { type = "Not A Type", tenant = "metrics" })).Dispose();
            await using var subscriber = await Subscriber.StartAsync();
            await system.CreateEndpointAsync("metrics", subscriber.Url, ["*"]);
            await system.PublishAsync("metrics", "meter.read");
            await subscriber.WaitForAsync(1);

            // The exporter answers scrapes from a short cache: scrape until the refusal shows.
            var ingest = await Eventually.HoldsAsync(() => system.Ingest.GetStringAsync("/metrics"),
                m => Value(m, "webhooks_ingest_requests_refused_total", "reason=\"invalid\"") - Value(before, "webhooks_ingest_requests_refused_total", "reason=\"invalid\"") >= 1, "the refusal is counted");
            // Seconds buckets: a delivery on loopback lands well under one second, and the buckets can say so.
            var dispatched = await Eventually.HoldsAsync(() => dispatcherHttp.GetStringAsync("/metrics"), m => Value(m, "webhooks_delivery_lag_seconds_bucket", "le=\"1\"") >= 1, "a lag under a second is recorded");
            Assert.True(Value(ingest, "webhooks_ingest_publish_duration_seconds_count") >= 1, "the confirm is timed");
            Assert.False(double.IsNaN(Value(dispatched, "webhooks_delivery_lag_seconds_bucket", "le=\"0.25\"")));
            Assert.False(double.IsNaN(Value(dispatched, "webhooks_delivery_attempt_duration_seconds_bucket", "le=\"0.05\"")));
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Fact]
    public async Task Queues_are_sampled_from_the_broker_and_failures_are_shown_by_status_class_cause_and_endpoint()
    {
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Dispatcher:QueueSampling"] = "00:00:01" });
        try
        {
            // A message nobody consumes, put where an SRE must see it — once the dispatcher has declared where: a publish
            // to an exchange not yet declared is dropped without a word (a CI run lost that race).
            await Eventually.HoldsAsync(async () =>
            {
                await using var connection = await new ConnectionFactory { Uri = system.RabbitMq }.CreateConnectionAsync();
                await using var channel = await connection.CreateChannelAsync();
                await channel.BasicPublishAsync("webhooks-poison", "", "{}"u8.ToArray());
                return await system.QueueDepthAsync("webhooks-poison");
            }, depth => depth >= 1, "the poison message is in its queue");
            using var dispatcherHttp = new HttpClient { BaseAddress = new Uri(dispatcher.Urls.Single()) };
            await using var busy = await Subscriber.StartAsync(n => n == 0 ? new Reply(503, RetryAfter: "1") : 500);
            var (endpointId, _) = await system.CreateEndpointAsync("metrics-failing", busy.Url, ["*"]);
            await system.PublishAsync("metrics-failing", "meter.broken");
            await busy.WaitForAsync(2);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await system.Ingest.PutAsJsonAsync("/v1/tenants/metrics-quota/quotas", new { eventsPerSecond = 0.01, eventsBurst = 1 })).StatusCode);
            await system.PublishAsync("metrics-quota", "meter.first");
            (await system.Ingest.PostAsJsonAsync("/v1/events", new { type = "meter.second", tenant = "metrics-quota", data = new { } })).Dispose();

            var metrics = await Eventually.HoldsAsync(() => dispatcherHttp.GetStringAsync("/metrics"),
                // This system's queues: other tests' dispatchers in this process report theirs, on their virtual hosts.
                m => Value(m, "webhooks_queue_messages", "queue=\"webhooks-poison\"", "kind=\"poison\"", $"vhost=\"{system.VirtualHost}\"") >= 1
                    && Value(m, "webhooks_queue_consumers", "queue=\"webhooks-delivery\"", "kind=\"lane\"", $"vhost=\"{system.VirtualHost}\"") >= 1
                    && Value(m, "webhooks_endpoint_failing_seconds", $"endpoint=\"{endpointId}\"") >= 0
                    && Value(m, "webhooks_delivery_deferred_total", "reason=\"retry_after\"") >= 1
                    && Value(m, "webhooks_delivery_attempts_total", "outcome=\"failed\"", "status_class=\"5xx\"") >= 2,
                "the poison message, the lane's consumers, the failing endpoint, the Retry-After and the 5xx attempts are shown");
            Assert.False(double.IsNaN(Value(metrics, "webhooks_queue_consumers", "queue=\"webhooks-poison\"")));
            Assert.False(double.IsNaN(Value(metrics, "webhooks_queue_messages", "kind=\"delay\"")));
            Assert.False(double.IsNaN(Value(metrics, "webhooks_queue_oldest_message_age_seconds", "queue=\"webhooks-fan-out\"")));
            Assert.False(double.IsNaN(Value(metrics, "webhooks_endpoints_disabled_total", "reason=\"failing\"")));
            await Eventually.HoldsAsync(() => system.Ingest.GetStringAsync("/metrics"), m => Value(m, "webhooks_tenants_over_quota") >= 1, "the tenant over its quota is counted");
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Fact]
    public async Task A_lane_knows_when_the_messages_it_gave_out_had_entered_it_not_when_they_were_taken()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("metrics-waiting", subscriber.Url, ["*"]);
        // No dispatcher yet: the event waits in the fan-out lane.
        await system.PublishAsync("metrics-waiting", "meter.waited");
        var published = DateTimeOffset.UtcNow;

        var dispatcher = await system.StartDispatcherAsync();
        try
        {
            var started = DateTimeOffset.UtcNow;
            await subscriber.WaitForAsync(1);
            var entered = dispatcher.Services.GetRequiredService<Webhooks.Dispatcher.QueueDepths.LaneEntries>().LastEntered("webhooks-fan-out");
            Assert.NotNull(entered);
            Assert.True(entered <= published, $"entered at {entered:o}, published at {published:o}, the dispatcher started at {started:o}");
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }
}
