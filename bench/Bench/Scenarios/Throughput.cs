using System.Diagnostics;

namespace Webhooks.Bench.Scenarios;

/// <summary>
/// Deliveries a second through the whole platform (Ingest, broker, fan-out, delivery, attempt
/// records) against the raw baseline: the same signed POSTs sent straight to the same receiver
/// with the same concurrency.
/// </summary>
public static class Throughput
{
    public const int Concurrency = 64;

    public static async Task RunAsync(Platform platform, Receiver receiver, RawSender raw, int events, Report report)
    {
        var rawSeconds = await raw.SendManyAsync(receiver.Path("raw-throughput"), events, Concurrency);
        var rawRate = events / rawSeconds;

        await platform.CreateEndpointAsync("throughput", receiver.Path("throughput"), new { maxInFlight = Concurrency });
        var start = Stopwatch.GetTimestamp();
        // Four publishers, as several services would publish at once.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => platform.PublishBatchesAsync("throughput", events / 4)));
        var accepted = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await receiver.WaitForAsync("throughput", events / 4 * 4, TimeSpan.FromMinutes(10));
        var delivered = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var rate = events / 4 * 4 / delivered;

        report.Section($"Throughput: {events} events to one endpoint, {Concurrency} requests in flight");
        report.Row("raw baseline (sign + POST, no platform)", $"{rawRate:F0} webhooks/s");
        report.Row("Ingest accepting (batches of 100, 4 publishers)", $"{events / 4 * 4 / accepted:F0} events/s");
        report.Row("Webhooks end to end (published → received)", $"{rate:F0} webhooks/s");
        report.Row("ratio Webhooks / raw", $"{rate / rawRate:F2}");
    }
}
