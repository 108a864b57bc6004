using System.Diagnostics;

namespace Webhooks.Bench.Scenarios;

/// <summary>
/// Scale-out with the cores held fixed: 1, 2 and 4 Dispatchers (quick: 1 and 2), each held to a quarter of a core by a
/// CPU quota of its own (a cgroup), at fan-out 1 over HTTP. Throughput grows with the dispatchers while they are what
/// limits it; the table says, at each step, how busy each process was and which one held the rate — proof that no key,
/// lock or queue serialises the dispatchers, and where the next limit is.
/// </summary>
public static class ScaleOut
{
    private const double Share = 0.25;

    public static async Task RunAsync(Platform platform, BenchOptions options, Report report)
    {
        var webhooks = options.Quick ? 1_500 : 6_000;
        int[] steps = options.Quick ? [1, 2] : [1, 2, 4];
        await using var receiver = await ReceiverProcess.StartAsync();
        report.Section($"Scale-out with the cores held fixed: dispatchers each held to {Share:0.##} of a core, fan-out 1 over HTTP, {webhooks} webhooks a step");
        if (!CpuQuota.Available)
        {
            report.Row("dispatchers held to a share of a core", $"not measured: no cgroup CPU controller can be written here ({CpuQuota.Why})");
            return;
        }
        var broker = ProcessStats.Find("beam.smp", $"-epmd_port {options.RabbitMq.Port + 30000}");
        var store = ProcessStats.Find("redis-server", $":{options.Redis.Split(':')[^1]}");
        double? first = null;
        foreach (var dispatchers in steps)
        {
            var hosts = await platform.StartProcessesAsync(dispatchers);
            var quotas = hosts.Dispatchers.Select(d => CpuQuota.Hold(d.Id, Share)).ToList();
            try
            {
                var tenant = $"scale-{dispatchers}";
                // An in-flight cap that is not what limits: dispatchers held to a quarter of a core hold each request's place for as
                // long as they are paused, so at 64 the cap itself held the second step (× 1.1), its deliveries put off and taken again.
                await platform.CreateEndpointAsync(tenant, receiver.Path(tenant), new { maxInFlight = 1000 }, hosts.Client);
                // Warmed on half as many webhooks, and measured once their CPU has settled: .NET compiles the hot code again,
                // optimised, in the background after a warm-up, inside each dispatcher's quarter of a core (it once measured that).
                var warmUp = webhooks / 2;
                await platform.PublishConcurrentlyAsync(tenant, warmUp, Throughput.Connections, hosts.Client);
                await receiver.WaitForAsync(tenant, warmUp, TimeSpan.FromMinutes(5));
                if (!await ProcessStats.SettleAsync([hosts.Ingest.Id, .. hosts.Dispatchers.Select(d => d.Id)], TimeSpan.FromSeconds(90)))
                {
                    Console.Error.WriteLine("The hosts were still busy a minute and a half after their warm-up; measuring anyway.");
                }

                var processes = new Dictionary<string, int> { ["Ingest"] = hosts.Ingest.Id, ["receiver"] = receiver.Pid };
                for (var i = 0; i < hosts.Dispatchers.Count; i++)
                {
                    processes[$"Dispatcher {i + 1}"] = hosts.Dispatchers[i].Id;
                }
                if (broker is { } b)
                {
                    processes["RabbitMQ"] = b;
                }
                if (store is { } r)
                {
                    processes["Redis"] = r;
                }
                var before = processes.ToDictionary(p => p.Key, p => ProcessStats.CpuSeconds(p.Value));
                var start = Stopwatch.GetTimestamp();
                await platform.PublishConcurrentlyAsync(tenant, webhooks, Throughput.Connections, hosts.Client);
                await receiver.WaitForAsync(tenant, warmUp + webhooks, TimeSpan.FromMinutes(10));
                var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var busy = processes.ToDictionary(p => p.Key, p => (ProcessStats.CpuSeconds(p.Value) - before[p.Key]) / elapsed);
                var rate = webhooks / elapsed;
                first ??= rate;

                var dispatcherBusy = busy.Where(p => p.Key.StartsWith("Dispatcher", StringComparison.Ordinal)).Select(p => p.Value).ToList();
                report.Row($"{dispatchers} dispatcher(s), {dispatchers * Share:0.##} core(s) in all",
                    $"{rate:F0} webhooks/s (× {rate / first.Value:F2} the first step); cores busy: dispatchers {string.Join(" + ", dispatcherBusy.Select(d => d.ToString("F2")))} of {Share:0.##} each, " +
                    string.Join(", ", busy.Where(p => !p.Key.StartsWith("Dispatcher", StringComparison.Ordinal)).Select(p => $"{p.Key} {p.Value:F2}")) +
                    $"; machine {busy.Values.Sum():F2} of {Environment.ProcessorCount} — held by {Limit(busy, dispatcherBusy)}");
                report.Figure($"dispatchers_{dispatchers}_webhooks_per_second", rate);
                report.Figure($"dispatchers_{dispatchers}_dispatcher_cores_busy", dispatcherBusy.Average());
            }
            finally
            {
                // The hosts first: a group still holding a process cannot be removed.
                await hosts.DisposeAsync();
                foreach (var quota in quotas)
                {
                    quota.Dispose();
                }
            }
        }
        await platform.RestartAsync();
    }

    /// <summary>What held the rate: the dispatchers at their quota, a server at its core (Redis is single-threaded), or the machine.</summary>
    private static string Limit(Dictionary<string, double> busy, List<double> dispatchers)
    {
        if (dispatchers.All(d => d >= Share * 0.85))
        {
            return "the dispatchers (each at its quota)";
        }
        if (busy.Values.Sum() >= Environment.ProcessorCount * 0.9)
        {
            var busiest = busy.Where(p => !p.Key.StartsWith("Dispatcher", StringComparison.Ordinal)).MaxBy(p => p.Value);
            return $"the machine (all its cores busy; {busiest.Key} the busiest at {busiest.Value:F2})";
        }
        if (busy.TryGetValue("Redis", out var redis) && redis >= 0.85)
        {
            return "Redis (a core, all it can use)";
        }
        var other = busy.Where(p => !p.Key.StartsWith("Dispatcher", StringComparison.Ordinal)).MaxBy(p => p.Value);
        return $"no process at its limit (the busiest: {other.Key} at {other.Value:F2}): waiting, not CPU";
    }
}

/// <summary>A process held to a share of a core by a cgroup of its own (cgroup v1 <c>cpu</c> or v2 <c>cpu.max</c>); needs root.</summary>
public sealed class CpuQuota : IDisposable
{
    private const string V1 = "/sys/fs/cgroup/cpu";
    private const string V2 = "/sys/fs/cgroup";
    private readonly string _group;

    private CpuQuota(string group) => _group = group;

    public static bool Available => Why is null;

    /// <summary>Why no quota can be set here, or null when one can.</summary>
    public static string? Why { get; } = Probe();

    public static CpuQuota Hold(int pid, double cores)
    {
        var period = 100_000;
        var quota = (int)(cores * period);
        if (Directory.Exists(Path.Combine(V1)) && File.Exists(Path.Combine(V1, "cpu.cfs_quota_us")))
        {
            var group = Path.Combine(V1, $"webhooks-bench-{pid}");
            Directory.CreateDirectory(group);
            File.WriteAllText(Path.Combine(group, "cpu.cfs_period_us"), period.ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(group, "cpu.cfs_quota_us"), quota.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // The whole process, every thread (threads it starts later stay in the group of the one that starts them).
            File.WriteAllText(Path.Combine(group, "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new CpuQuota(group);
        }
        var unified = Path.Combine(V2, $"webhooks-bench-{pid}");
        Directory.CreateDirectory(unified);
        File.WriteAllText(Path.Combine(unified, "cpu.max"), $"{quota} {period}");
        File.WriteAllText(Path.Combine(unified, "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new CpuQuota(unified);
    }

    public void Dispose()
    {
        try
        {
            // The process is gone or going with its host; an empty group can be removed.
            Directory.Delete(_group);
        }
        catch (IOException)
        {
        }
    }

    private static string? Probe()
    {
        try
        {
            var group = File.Exists(Path.Combine(V1, "cpu.cfs_quota_us")) ? Path.Combine(V1, "webhooks-bench-probe") : Path.Combine(V2, "webhooks-bench-probe");
            Directory.CreateDirectory(group);
            Directory.Delete(group);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
