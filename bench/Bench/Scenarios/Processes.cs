using System.Diagnostics;

namespace Webhooks.Bench.Scenarios;

/// <summary>
/// The platform as deployed: Ingest and 1, 2 or 4 Dispatchers, each a process of its own, on the
/// same broker and Redis. Throughput at fan-out 1 and 10 as ratios to the bare pipeline, and what
/// each process spent — CPU seconds per 1,000 webhooks and peak memory — so that where the time
/// goes is read per process, RabbitMQ and Redis included.
/// </summary>
public static class Processes
{
    public static async Task RunAsync(Platform platform, Receiver receiver, double bareRate, int webhooks, int[] dispatcherCounts, Report report, Uri rabbitMq, string redis)
    {
        var broker = ProcessStats.Find("beam.smp", $"-epmd_port {rabbitMq.Port + 30000}");
        var store = ProcessStats.Find("redis-server", $":{redis.Split(':')[^1]}");
        report.Section($"Processes: Ingest and 1–{dispatcherCounts.Max()} Dispatchers as processes of their own, {webhooks} webhooks at fan-out 1 and at fan-out 10");
        foreach (var dispatchers in dispatcherCounts)
        {
            await using var processes = await platform.StartProcessesAsync(dispatchers);
            var all = new List<(string Name, int Pid)> { ("Ingest", processes.Ingest.Id) };
            all.AddRange(processes.Dispatchers.Select((d, i) => ($"Dispatcher {i + 1}", d.Id)));
            if (broker is { } b)
            {
                all.Add(("RabbitMQ", b));
            }
            if (store is { } r)
            {
                all.Add(("Redis", r));
            }

            // Fresh processes: warm them up (JIT, pools, connections) before anything is counted.
            await MeasureAsync(platform, processes, receiver, $"proc{dispatchers}-warm-up", 1, 500);
            var cpuBefore = all.ToDictionary(p => p.Name, p => ProcessStats.CpuSeconds(p.Pid));
            var single = await MeasureAsync(platform, processes, receiver, $"proc{dispatchers}-1", 1, webhooks);
            var cpu = all.ToDictionary(p => p.Name, p => (ProcessStats.CpuSeconds(p.Pid) - cpuBefore[p.Name]) / webhooks * 1000);
            var tenfold = await MeasureAsync(platform, processes, receiver, $"proc{dispatchers}-10", 10, webhooks / 10);
            var peaks = all.ToDictionary(p => p.Name, p => ProcessStats.PeakRssMegabytes(p.Pid));

            var dispatcherCpu = cpu.Where(c => c.Key.StartsWith("Dispatcher", StringComparison.Ordinal)).Sum(c => c.Value);
            report.Row($"{dispatchers} dispatcher process(es): throughput", $"fan-out 1 over HTTP {single:F0} webhooks/s (**{single / bareRate:F2} × bare**); fan-out 10 {tenfold:F0} webhooks/s (**{tenfold / bareRate:F2} × bare**)");
            report.Row($"{dispatchers} dispatcher process(es): CPU seconds per 1,000 webhooks at fan-out 1", string.Join(", ", cpu.Where(c => !c.Key.StartsWith("Dispatcher", StringComparison.Ordinal)).Select(c => $"{c.Key} {c.Value:F2}").Prepend($"Dispatchers {dispatcherCpu:F2}")));
            report.Row($"{dispatchers} dispatcher process(es): peak RSS", string.Join(", ", peaks.Select(p => $"{p.Key} {p.Value:F0} MB")));
            report.Figure($"dispatchers_{dispatchers}_fan_out_1_webhooks_per_second", single);
            report.Figure($"dispatchers_{dispatchers}_fan_out_10_webhooks_per_second", tenfold);
            report.Figure($"dispatchers_{dispatchers}_dispatcher_cpu_seconds_per_1000", dispatcherCpu);
            foreach (var (name, value) in cpu.Where(c => !c.Key.StartsWith("Dispatcher", StringComparison.Ordinal)))
            {
                report.Figure($"dispatchers_{dispatchers}_{name.ToLowerInvariant()}_cpu_seconds_per_1000", value);
            }
            report.Figure($"dispatchers_{dispatchers}_dispatcher_peak_rss_mb", peaks.Where(p => p.Key.StartsWith("Dispatcher", StringComparison.Ordinal)).Max(p => p.Value));
            report.Figure($"dispatchers_{dispatchers}_ingest_peak_rss_mb", peaks["Ingest"]);
        }
        await platform.RestartAsync();
    }

    private static async Task<double> MeasureAsync(Platform platform, PlatformProcesses processes, Receiver receiver, string name, int fanOut, int events)
    {
        await platform.CreateEndpointsAsync(name, receiver.Path(name), fanOut, new { maxInFlight = Throughput.Concurrency }, processes.Client);
        var start = Stopwatch.GetTimestamp();
        await platform.PublishConcurrentlyAsync(name, events, Throughput.Connections, processes.Client);
        await receiver.WaitForAsync(name, events * fanOut, TimeSpan.FromMinutes(10));
        return events * fanOut / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
