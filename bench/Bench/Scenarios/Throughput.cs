using System.Diagnostics;

namespace Webhooks.Bench.Scenarios;

/// <summary>
/// Webhooks a second through the whole platform, for single events over HTTP at fan-out 1, 10 and
/// 100, for batches, and for events published straight onto the bus, each as a ratio to the bare
/// one-hop pipeline measured in the same run on the same broker and receiver (and beside the raw
/// signed POSTs that are the machine's ceiling). Each platform row also says what one webhook cost
/// Redis (commands) and RabbitMQ (publishes).
/// </summary>
public static class Throughput
{
    /// <summary>Requests in flight: the bare consumer's, the raw sender's and each endpoint's cap.</summary>
    public const int Concurrency = 64;

    /// <summary>The bare consumer's prefetch: the dispatcher's delivery prefetch.</summary>
    public const int Prefetch = 128;

    /// <summary>HTTP connections (or bus publishers) publishing single events at once.</summary>
    public const int Connections = 32;

    /// <summary>Confirmed publishes outstanding at once in the bare pipeline.</summary>
    public const int BarePublishers = 256;

    /// <summary>Runs every throughput measure; returns the bare pipeline's rate and the platform's single-event rate at fan-out 1 (events a second, for the latency at half of it).</summary>
    public static async Task<(double Bare, double Single)> RunAsync(Platform platform, Receiver receiver, RawSender raw, Counters counters, int webhooks, Report report)
    {
        var rawRate = webhooks / await raw.SendManyAsync(receiver.Path("raw-throughput"), webhooks, Concurrency);
        double bareRate;
        await using (var bare = await BarePipeline.StartAsync(platform.RabbitMq, Prefetch, Concurrency))
        {
            // Many confirms outstanding, so that the publisher is not what limits the baseline.
            bareRate = webhooks / await bare.RunAsync(receiver, "bare-throughput", webhooks, BarePublishers);
        }

        report.Section($"In process (a second table: Ingest, a Dispatcher and the receiver share the bench's process): {webhooks} webhooks each, {Concurrency} requests in flight, single events from {Connections} connections");
        report.Row("raw baseline: sign + POST, no broker", $"{rawRate:F0} webhooks/s");
        report.Row("**bare pipeline**: confirmed publish to a quorum queue → consumer (manual acks, prefetch 128) → signed POST", $"**{bareRate:F0} webhooks/s** (raw × {bareRate / rawRate:F2})");
        report.Figure("raw_webhooks_per_second", rawRate);
        report.Figure("bare_webhooks_per_second", bareRate);

        var single = await MeasureAsync("fan-out 1, single events over HTTP", "http-1", 1, webhooks, (tenant, events) => platform.PublishConcurrentlyAsync(tenant, events, Connections));
        // Every endpoint here has a rate limit it never reaches, so that each delivery passes the limiter: its checks are timed.
        using (var admission = new AdmissionChecks())
        {
            await MeasureAsync("fan-out 10, single events over HTTP (endpoints rate limited at 10,000/s)", "http-10", 10, webhooks / 10,
                (tenant, events) => platform.PublishConcurrentlyAsync(tenant, events, Connections), new { maxInFlight = Concurrency, rateLimit = new { perSecond = 10_000 } });
            AdmissionChecks.Report(report, admission.Made(), "at fan-out 10, full load", "http_10");
        }
        await MeasureAsync("fan-out 100, single events over HTTP", "http-100", 100, Math.Max(webhooks / 100, 10), (tenant, events) => platform.PublishConcurrentlyAsync(tenant, events, Connections));
        await MeasureAsync("fan-out 1, batches of 100 over HTTP", "batch-1", 1, webhooks, async (tenant, events) => await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => platform.PublishBatchesAsync(tenant, events / 4))));
        await MeasureAsync("fan-out 1, published onto the bus (Contracts)", "bus-1", 1, webhooks, (tenant, events) => platform.PublishOnBusAsync(tenant, events, Connections));
        return (bareRate, single);

        async Task<double> MeasureAsync(string what, string name, int fanOut, int events, Func<string, int, Task> publish, object? limits = null)
        {
            await platform.CreateEndpointsAsync(name, receiver.Path(name), fanOut, limits ?? new { maxInFlight = Concurrency });
            var before = await counters.ReadAsync();
            var operationsBefore = platform.RedisOperations;
            var start = Stopwatch.GetTimestamp();
            await publish(name, events);
            var accepted = Stopwatch.GetElapsedTime(start).TotalSeconds;
            await receiver.WaitForAsync(name, events * fanOut, TimeSpan.FromMinutes(10));
            var delivered = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var (redis, broker) = before.PerWebhook(await counters.ReadAsync(), events * fanOut);
            var roundTrips = (platform.RedisOperations - operationsBefore) / (double)(events * fanOut);
            var rate = events * fanOut / delivered;
            report.Row(what, $"{rate:F0} webhooks/s, **{rate / bareRate:F2} × bare**; accepted {events / accepted:F0} events/s; per webhook {roundTrips:F1} Redis operations sent ({redis:F1} commands run), {broker:F1} broker publishes");
            report.Figure($"{name}_webhooks_per_second", rate);
            report.Figure($"{name}_ratio_to_bare", rate / bareRate);
            report.Figure($"{name}_events_accepted_per_second", events / accepted);
            report.Figure($"{name}_redis_commands_per_webhook", redis);
            report.Figure($"{name}_redis_operations_per_webhook", roundTrips);
            report.Figure($"{name}_broker_publishes_per_webhook", broker);
            return events / delivered;
        }
    }
}
