using System.Diagnostics;
using System.Text.Json;

namespace Webhooks.Bench.Scenarios;

/// <summary>One event at a time on an idle platform: from POST /v1/events to the receiver, against one raw POST.</summary>
public static class Latency
{
    public static async Task RunAsync(Platform platform, Receiver receiver, RawSender raw, int events, Report report)
    {
        var rawUrl = receiver.Path("raw-latency");
        var rawTimes = new List<double>();
        for (var i = 0; i < events; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await raw.SendAsync(rawUrl, i);
            rawTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        await platform.CreateEndpointAsync("latency", receiver.Path("latency"));
        var times = await PublishOneByOneAsync(platform, receiver, "latency", events, TimeSpan.Zero);

        report.Section($"Latency: {events} events one after another, idle platform");
        report.Row("raw baseline (one signed POST)", new Latencies(rawTimes).ToString());
        report.Row("Webhooks (POST /v1/events → received)", times.ToString());
        report.Row("ratio of medians Webhooks / raw", $"{times.Percentile(50) / new Latencies(rawTimes).Percentile(50):F1}");
    }

    /// <summary>
    /// End-to-end latency under load: single events over HTTP at <paramref name="rate"/> a second
    /// (half of the measured maximum), open loop, for <paramref name="seconds"/>: POST /v1/events → received.
    /// </summary>
    public static async Task UnderLoadAsync(Platform platform, Receiver receiver, double rate, double seconds, Report report)
    {
        // A rate limit it never reaches, so that every delivery passes the limiter and its checks are timed at this load.
        await platform.CreateEndpointAsync("loaded", receiver.Path("loaded"), new { maxInFlight = Throughput.Concurrency, rateLimit = new { perSecond = 10_000 } });
        using var admission = new AdmissionChecks();
        var count = (int)(rate * seconds);
        var sent = await PublishAtRateAsync(platform, "loaded", rate, count);
        await Task.WhenAll(sent.Select(p => receiver.WhenArrived(p.Id))).WaitAsync(TimeSpan.FromMinutes(10));
        var checks = admission.Made();
        var times = new Latencies([.. sent.Select(p => receiver.TryGetArrival(p.Id, out var arrived) ? Latencies.Since(p.At, arrived) : double.NaN)]);

        report.Section($"Latency under load: single events over HTTP at {rate:F0}/s (half of the fan-out-1 maximum) for {seconds:F0} s");
        report.Row("Webhooks (POST /v1/events → received)", $"p50 {times.Percentile(50):F1} ms, p95 {times.Percentile(95):F1} ms, p99 {times.Percentile(99):F1} ms, max {times.Milliseconds.Max():F1} ms (n={count})");
        AdmissionChecks.Report(report, checks, "at half load", "loaded");
        report.Figure("rate_events_per_second", rate);
        report.Figure("p50_ms", times.Percentile(50));
        report.Figure("p95_ms", times.Percentile(95));
        report.Figure("p99_ms", times.Percentile(99));
    }

    /// <summary>
    /// Publishes <paramref name="count"/> single events over HTTP at <paramref name="rate"/> a second, open loop (each at its
    /// time, whether or not the ones before were answered); returns each event's id and when its POST began.
    /// </summary>
    public static async Task<(string Id, long At)[]> PublishAtRateAsync(Platform platform, string tenant, double rate, int count, HttpClient? via = null)
    {
        var sent = new (string Id, long At)[count];
        // The same lean client as the throughput it is half of (HttpLoad), with a connection for each request in flight.
        using var load = HttpLoad.For(via ?? platform.Ingest, 256);
        var start = Stopwatch.GetTimestamp();
        var publishes = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            if (due - Stopwatch.GetTimestamp() is var ahead && ahead > Stopwatch.Frequency / 1000)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)ahead / Stopwatch.Frequency));
            }
            var n = i;
            publishes.Add(Task.Run(async () =>
            {
                var at = Stopwatch.GetTimestamp();
                var accepted = await load.PostSuccessfullyAsync("/v1/events", Platform.EventJson(tenant, n));
                sent[n] = (JsonDocument.Parse(accepted).RootElement.GetProperty("id").GetString()!, at);
            }));
        }
        await Task.WhenAll(publishes);
        return sent;
    }

    /// <summary>Publishes one event every <paramref name="spacing"/> (or each after the previous arrived, when zero) and measures publish → arrival.</summary>
    public static async Task<Latencies> PublishOneByOneAsync(Platform platform, Receiver receiver, string tenant, int events, TimeSpan spacing)
    {
        var published = new List<(string Id, long At)>();
        for (var i = 0; i < events; i++)
        {
            var at = Stopwatch.GetTimestamp();
            var id = await platform.PublishAsync(tenant, i);
            published.Add((id, at));
            if (spacing == TimeSpan.Zero)
            {
                await receiver.WhenArrived(id);
            }
            else if (spacing - Stopwatch.GetElapsedTime(at) is { Ticks: > 0 } rest)
            {
                await Task.Delay(rest);
            }
        }
        await Task.WhenAll(published.Select(p => receiver.WhenArrived(p.Id))).WaitAsync(TimeSpan.FromMinutes(10));
        return new Latencies([.. published.Select(p => receiver.TryGetArrival(p.Id, out var arrived) ? Latencies.Since(p.At, arrived) : double.NaN)]);
    }
}
