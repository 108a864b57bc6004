using System.Diagnostics;

namespace Webhooks.Bench.Scenarios;

/// <summary>
/// One tenant floods the platform with a backlog its endpoint needs seconds to take; meanwhile a
/// quiet tenant publishes a few events a second. The quiet tenant's latency under the flood is
/// compared with its latency on the idle platform — with tenant lanes, and with them switched off
/// (one FIFO delivery queue), in the same run.
/// </summary>
public static class Fairness
{
    private static readonly TimeSpan FloodThinkTime = TimeSpan.FromMilliseconds(50);

    public static async Task RunAsync(Platform platform, Receiver receiver, int flood, int quiet, Report report)
    {
        report.Section($"Fairness: tenant A publishes {flood} events at once (its endpoint takes {FloodThinkTime.TotalMilliseconds:F0} ms each, 64 in flight); tenant B publishes {quiet}, one every 100 ms, right after");
        foreach (var lanes in new[] { true, false })
        {
            await platform.RestartAsync(new Dictionary<string, string?> { ["Webhooks:Fairness:Enabled"] = lanes ? "true" : "false" });
            var name = lanes ? "lanes" : "fifo";
            await platform.CreateEndpointAsync($"flood-{name}", receiver.Path($"flood-{name}", FloodThinkTime), new { maxInFlight = 64 });
            await platform.CreateEndpointAsync($"quiet-{name}", receiver.Path($"quiet-{name}"));
            var idle = await Latency.PublishOneByOneAsync(platform, receiver, $"quiet-{name}", 20, TimeSpan.FromMilliseconds(100));

            var start = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => platform.PublishBatchesAsync($"flood-{name}", flood / 4)));
            var underFlood = await Latency.PublishOneByOneAsync(platform, receiver, $"quiet-{name}", quiet, TimeSpan.FromMilliseconds(100));
            var floodArrivedByThen = receiver.CountOf($"flood-{name}");
            await receiver.WaitForAsync($"flood-{name}", flood / 4 * 4, TimeSpan.FromMinutes(10));
            var drained = Stopwatch.GetElapsedTime(start).TotalSeconds;

            var mode = lanes ? "tenant lanes (default)" : "lanes off: one FIFO queue";
            report.Row($"{mode} — B idle", idle.ToString());
            report.Row($"{mode} — B under A's flood", underFlood.ToString());
            report.Row($"{mode} — ratio of B's p99, flood / idle", $"{underFlood.Percentile(99) / idle.Percentile(99):F1}");
            report.Row($"{mode} — A's webhooks arrived when B's last did", $"{floodArrivedByThen} of {flood / 4 * 4}; A drained in {drained:F1} s");
        }
    }
}
