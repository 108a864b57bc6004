using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Webhooks.Core.Fairness;
using Webhooks.Messaging;

namespace Webhooks.Bench.Scenarios;

/// <summary>
/// The headline: the platform as deployed — Ingest and a Dispatcher, each a process of its own — against the bare
/// pipeline, a process of its own too, both POSTing to one receiver process, in the same run; the bench's own process
/// only sends the load (single events over HTTP from 32 connections, batches, or onto the bus). Per scenario: webhooks a
/// second and the ratio to the bare pipeline; the CPU each process spent per webhook (from /proc); the Redis operations
/// the hosts sent and the commands Redis ran per webhook, and the broker's publishes; peak memory. Then the latency at
/// half of the fan-out-1 maximum, a tenant at its quota, and Ingest alone (no dispatcher). Full runs take the median of three.
/// </summary>
public static class Deployed
{
    private sealed record Case(string Name, string What, int FanOut, Func<Platform, PlatformProcesses, string, int, Task> Publish, object? Endpoint = null)
    {
        /// <summary>How each endpoint of the case is made: its in-flight cap, and for some a payload filter.</summary>
        public object Settings => Endpoint ?? new { maxInFlight = Throughput.Concurrency };
    }

    /// <summary>
    /// A payload filter of realistic size that every event of the bench (<see cref="Platform.Data"/>) passes, so the filtered case
    /// delivers as much as fan-out 10 and what it costs more is the filters' evaluation: four conditions, a list, a nested path, an $or.
    /// </summary>
    private static readonly System.Text.Json.JsonElement PassingFilter = System.Text.Json.JsonDocument.Parse(
        """{"data.amount": {"$gte": 1000}, "data.currency": {"$in": ["EUR", "USD", "GBP"]}, "data.customer.country": {"$nin": ["US", "CA"]}, "$or": [{"data.orderId": {"$exists": true}}, {"data.refund": true}]}""").RootElement;

    /// <summary>The type of the validated case's events, in the catalog with <see cref="OrderSchema"/> enforced.</summary>
    private const string ValidatedType = "order.validated";

    /// <summary>
    /// A schema of realistic size for the bench's events (<see cref="Platform.Data"/>), which they all conform to: required
    /// fields, three patterns, an enum, bounds, a nested object and a list behind a reference, no other properties.
    /// </summary>
    private static readonly System.Text.Json.JsonElement OrderSchema = System.Text.Json.JsonDocument.Parse("""
        {
          "type": "object",
          "required": ["orderId", "amount", "currency", "customer"],
          "additionalProperties": false,
          "properties": {
            "orderId": {"type": "string", "pattern": "^ord_[0-9]{8}$"},
            "amount": {"type": "integer", "minimum": 0, "maximum": 100000000},
            "currency": {"enum": ["EUR", "USD", "GBP", "CHF", "JPY"]},
            "customer": {
              "type": "object",
              "required": ["id", "country"],
              "additionalProperties": false,
              "properties": {
                "id": {"type": "string", "pattern": "^cus_[0-9]{5}$"},
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "email": {"type": "string", "format": "email", "maxLength": 254}
              }
            },
            "lines": {"type": "array", "maxItems": 100, "items": {"$ref": "#/$defs/line"}},
            "refund": {"type": "boolean"},
            "note": {"type": "string", "maxLength": 2000}
          },
          "$defs": {
            "line": {
              "type": "object",
              "required": ["sku", "quantity"],
              "properties": {"sku": {"type": "string", "minLength": 1}, "quantity": {"type": "integer", "minimum": 1}, "unitPrice": {"type": "integer", "minimum": 0}}
            }
          }
        }
        """).RootElement;

    /// <summary>How long a fresh host is warmed at least and at most before it is measured (in between, until steady); a quick run, a third of it.</summary>
    private static (TimeSpan Minimum, TimeSpan Limit) WarmUp(int webhooks) =>
        webhooks >= 10_000 ? (TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90)) : (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

    /// <summary>The CPU seconds of each of a warm-up's rounds, for the log.</summary>
    private static string Rounds(IReadOnlyList<double> cpuSeconds) =>
        $"(CPU seconds {string.Join(", ", cpuSeconds.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))})";

    private static readonly Case[] Cases =
    [
        new("fan-out-1", "fan-out 1, single events over HTTP", 1, (p, hosts, tenant, events) => p.PublishConcurrentlyAsync(tenant, events, Throughput.Connections, hosts.Client)),
        new("fan-out-10", "fan-out 10, single events over HTTP", 10, (p, hosts, tenant, events) => p.PublishConcurrentlyAsync(tenant, events, Throughput.Connections, hosts.Client)),
        new("fan-out-10-filtered", "fan-out 10, each endpoint with a payload filter (4 conditions) every event passes", 10, (p, hosts, tenant, events) => p.PublishConcurrentlyAsync(tenant, events, Throughput.Connections, hosts.Client),
            new { maxInFlight = Throughput.Concurrency, filter = PassingFilter }),
        new("fan-out-10-validated", $"fan-out 10 with those filters, events of a type whose schema ({OrderSchema.GetRawText().Length / 100 / 10.0:F1} KB) Ingest enforces", 10,
            (p, hosts, tenant, events) => p.PublishConcurrentlyAsync(tenant, events, Throughput.Connections, hosts.Client, ValidatedType),
            new { maxInFlight = Throughput.Concurrency, filter = PassingFilter }),
        new("fan-out-100", "fan-out 100, single events over HTTP", 100, (p, hosts, tenant, events) => p.PublishConcurrentlyAsync(tenant, events, Throughput.Connections, hosts.Client)),
        new("batches", "fan-out 1, batches of 100 over HTTP", 1, (p, hosts, tenant, events) =>
            Task.WhenAll(Enumerable.Range(0, 4).Select(_ => p.PublishBatchesAsync(tenant, events / 4, hosts.Client)))),
        new("bus", "fan-out 1, published onto the bus (Contracts)", 1, (p, _, tenant, events) => p.PublishOnBusAsync(tenant, events, Throughput.Connections)),
    ];

    public static async Task RunAsync(Platform platform, Counters counters, BenchOptions options, Report report)
    {
        var (webhooks, runs) = options.Quick ? (2_000, options.DeployedRuns ?? 1) : (10_000, options.DeployedRuns ?? 3);
        var figures = new Figures();
        await using var receiver = await ReceiverProcess.StartAsync();
        var servers = Servers(options);
        for (var run = 1; run <= runs; run++)
        {
            Console.Error.WriteLine($"As deployed, run {run} of {runs}…");
            var bare = await BareAsync(options, receiver, servers, $"bare-{run}", webhooks);
            figures.Add("bare", "webhooks_per_second", bare.Rate);
            foreach (var (process, ms) in bare.CpuMsPerWebhook)
            {
                figures.Add("bare", $"cpu_ms_{process}", ms);
            }

            var alone = await IngestAloneAsync(platform, servers, $"ingest-alone-{run}", webhooks);
            foreach (var (name, value) in alone)
            {
                figures.Add("ingest_alone", name, value);
            }

            // Ingest alone's events are of a tenant without endpoints: dropped unread, not left for the dispatcher to go
            // through while the cases are measured.
            await counters.PurgeAsync(TenantLanes.Of(FairnessStage.Events));
            await using var hosts = await platform.StartProcessesAsync(1);
            var processes = Named(hosts, receiver, servers);
            await EnforceOrderSchemaAsync(hosts.Client);
            // Fresh processes: warmed at fan-out 1 until their CPU per webhook stops falling, then on every path the cases take
            // (half as many webhooks each), and measured only once the JIT's later tiers are compiled, as in processes that have
            // run for a while; the figures would count the JIT otherwise.
            var steady = $"warm-up-steady-{run}";
            await platform.CreateEndpointsAsync(steady, receiver.Path(steady), 1, null, hosts.Client);
            var warmed = await ProcessStats.WarmUntilSteadyAsync([hosts.Ingest.Id, .. hosts.Dispatchers.Select(d => d.Id)], async round =>
            {
                await platform.PublishConcurrentlyAsync(steady, webhooks / 2, Throughput.Connections, hosts.Client);
                await receiver.WaitForAsync(steady, (round + 1) * (webhooks / 2), TimeSpan.FromMinutes(5));
            }, WarmUp(webhooks));
            Console.Error.WriteLine($"The hosts warmed in {warmed.Count} rounds of {webhooks / 2} webhooks {Rounds(warmed)}");
            foreach (var @case in Cases)
            {
                var warmUp = @case with { Name = $"warm-up-{@case.Name}-{run}" };
                await platform.CreateEndpointsAsync(warmUp.Name, receiver.Path(warmUp.Name), @case.FanOut, @case.Settings, hosts.Client);
                var events = Math.Max(webhooks / 2 / @case.FanOut, 10);
                await @case.Publish(platform, hosts, warmUp.Name, events);
                await receiver.WaitForAsync(warmUp.Name, events * @case.FanOut, TimeSpan.FromMinutes(5));
            }
            if (!await ProcessStats.SettleAsync([hosts.Ingest.Id, .. hosts.Dispatchers.Select(d => d.Id)], TimeSpan.FromSeconds(60)))
            {
                Console.Error.WriteLine("The hosts were still busy a minute after their warm-up; measuring anyway.");
            }
            foreach (var @case in Cases)
            {
                var events = Math.Max(webhooks / @case.FanOut, 20);
                var measured = await MeasureAsync(platform, hosts, counters, receiver, processes, @case with { Name = $"{@case.Name}-{run}" }, events);
                figures.Add(@case.Name, "webhooks_per_second", measured.Rate);
                figures.Add(@case.Name, "ratio_to_bare", measured.Rate / bare.Rate);
                figures.Add(@case.Name, "events_accepted_per_second", measured.Accepted);
                figures.Add(@case.Name, "redis_operations_per_webhook", measured.RedisOperations);
                figures.Add(@case.Name, "redis_commands_per_webhook", measured.RedisCommands);
                figures.Add(@case.Name, "broker_publishes_per_webhook", measured.Publishes);
                foreach (var (process, ms) in measured.CpuMsPerWebhook)
                {
                    figures.Add(@case.Name, $"cpu_ms_{process}", ms);
                }
            }
            var half = figures.Last("fan-out-1", "webhooks_per_second") / 2;
            var latencies = await LatencyAsync(platform, hosts, receiver, $"latency-{run}", half, options.Quick ? 4 : 10);
            figures.Add("latency", "rate", half);
            foreach (var p in new[] { 50, 95, 99 })
            {
                figures.Add("latency", $"p{p}_ms", latencies.Percentile(p));
            }
            var quota = await AtQuotaAsync(platform, hosts, processes, $"quota-{run}", options.Quick ? 3 : 8);
            foreach (var (name, value) in quota)
            {
                figures.Add("quota", name, value);
            }
            foreach (var (process, pid) in processes)
            {
                figures.Add("rss", process, ProcessStats.PeakRssMegabytes(pid));
            }
        }
        Write(report, figures, webhooks, runs);
        await platform.RestartAsync();
    }

    /// <summary>The validated case's type in the catalog, its schema enforced (once: it stays for the later runs).</summary>
    private static async Task EnforceOrderSchemaAsync(HttpClient ingest)
    {
        var response = await ingest.PostAsJsonAsync("/v1/event-types", new { name = ValidatedType, schema = OrderSchema, validation = "enforce" });
        if (response.StatusCode != HttpStatusCode.Conflict)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    private static (int? Broker, int? Store) Servers(BenchOptions options) =>
        (ProcessStats.Find("beam.smp", $"-epmd_port {options.RabbitMq.Port + 30000}"), ProcessStats.Find("redis-server", $":{options.Redis.Split(':')[^1]}"));

    /// <summary>The processes whose CPU a webhook costs, by name: the hosts, the servers, the receiver.</summary>
    private static Dictionary<string, int> Named(PlatformProcesses hosts, ReceiverProcess receiver, (int? Broker, int? Store) servers)
    {
        var named = new Dictionary<string, int> { ["ingest"] = hosts.Ingest.Id };
        for (var i = 0; i < hosts.Dispatchers.Count; i++)
        {
            named[hosts.Dispatchers.Count == 1 ? "dispatcher" : $"dispatcher_{i + 1}"] = hosts.Dispatchers[i].Id;
        }
        WithServers(named, servers)["receiver"] = receiver.Pid;
        return named;
    }

    /// <summary>Adds RabbitMQ and Redis, where found, to <paramref name="processes"/>.</summary>
    private static Dictionary<string, int> WithServers(Dictionary<string, int> processes, (int? Broker, int? Store) servers)
    {
        if (servers.Broker is { } broker)
        {
            processes["rabbitmq"] = broker;
        }
        if (servers.Store is { } store)
        {
            processes["redis"] = store;
        }
        return processes;
    }

    private sealed record Bare(double Rate, Dictionary<string, double> CpuMsPerWebhook);

    /// <summary>The bare pipeline as a process of its own, to the receiver process; what it and the servers it used spent per webhook.</summary>
    private static async Task<Bare> BareAsync(BenchOptions options, ReceiverProcess receiver, (int? Broker, int? Store) servers, string name, int webhooks)
    {
        var watched = new Dictionary<string, int> { ["receiver"] = receiver.Pid };
        if (servers.Broker is { } broker)
        {
            watched["rabbitmq"] = broker;
        }
        var start = new ProcessStartInfo("dotnet", [typeof(Deployed).Assembly.Location, "bare", options.RabbitMq.ToString(), receiver.Path(name), webhooks.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start)!;
        // It warms up first (to a path of its own); what is counted starts when it is told to go.
        if (await process.StandardOutput.ReadLineAsync() != "warm")
        {
            throw new InvalidOperationException("The bare pipeline did not warm up.");
        }
        var before = Cpu(watched);
        await process.StandardInput.WriteLineAsync("go");
        await process.StandardInput.FlushAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var after = Cpu(watched);
        var run = System.Text.Json.JsonSerializer.Deserialize<BareRun>(output.Trim().Split('\n')[^1], System.Text.Json.JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException($"The bare pipeline printed no result: {output}");
        var cpu = watched.Keys.ToDictionary(p => p, p => (after[p] - before[p]) * 1000 / webhooks);
        cpu["bare"] = run.CpuSeconds * 1000 / webhooks;
        return new Bare(webhooks / run.Seconds, cpu);
    }

    private sealed record Measured(double Rate, double Accepted, double RedisOperations, double RedisCommands, double Publishes, Dictionary<string, double> CpuMsPerWebhook);

    private static async Task<Measured> MeasureAsync(Platform platform, PlatformProcesses hosts, Counters counters, ReceiverProcess receiver,
        Dictionary<string, int> processes, Case @case, int events)
    {
        await platform.CreateEndpointsAsync(@case.Name, receiver.Path(@case.Name), @case.FanOut, @case.Settings, hosts.Client);
        var webhooks = events * @case.FanOut;
        var (countersBefore, operationsBefore, cpuBefore) = (await counters.ReadAsync(), await hosts.RedisOperationsAsync(), Cpu(processes));
        var start = Stopwatch.GetTimestamp();
        await @case.Publish(platform, hosts, @case.Name, events);
        var accepted = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await receiver.WaitForAsync(@case.Name, webhooks, TimeSpan.FromMinutes(10));
        var delivered = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var cpuAfter = Cpu(processes);
        var operations = (await hosts.RedisOperationsAsync() - operationsBefore) / (double)webhooks;
        var (commands, publishes) = countersBefore.PerWebhook(await counters.ReadAsync(), webhooks);
        return new Measured(webhooks / delivered, events / accepted, operations, commands, publishes,
            processes.Keys.ToDictionary(p => p, p => (cpuAfter[p] - cpuBefore[p]) * 1000 / webhooks));
    }

    private static Dictionary<string, double> Cpu(Dictionary<string, int> processes) => processes.ToDictionary(p => p.Key, p => ProcessStats.CpuSeconds(p.Value));

    /// <summary>Single events at <paramref name="rate"/> a second, open loop, for <paramref name="seconds"/>: from the POST to the arrival at the receiver.</summary>
    private static async Task<Latencies> LatencyAsync(Platform platform, PlatformProcesses hosts, ReceiverProcess receiver, string name, double rate, double seconds)
    {
        await platform.CreateEndpointAsync(name, receiver.Path(name), new { maxInFlight = Throughput.Concurrency }, hosts.Client);
        var count = (int)(rate * seconds);
        var sent = await Latency.PublishAtRateAsync(platform, name, rate, count, hosts.Client);
        await receiver.WaitForAsync(name, count, TimeSpan.FromMinutes(10));
        // The receiver's arrival times are taken on the same monotonic clock as this process's send times.
        var arrivals = await receiver.ArrivalsAsync();
        return new Latencies([.. sent.Select(p => arrivals.TryGetValue(p.Id, out var arrived) ? Latencies.Since(p.At, arrived) : double.NaN)]);
    }

    /// <summary>A tenant at its quota (200 events a second, a burst of 200) flooding from 32 connections: what is accepted, what is refused, and what Ingest spends on each.</summary>
    private static async Task<Dictionary<string, double>> AtQuotaAsync(Platform platform, PlatformProcesses hosts, Dictionary<string, int> processes, string tenant, double seconds)
    {
        (await hosts.Client.PutAsJsonAsync($"/v1/tenants/{tenant}/quotas", new { eventsPerSecond = 200, eventsBurst = 200 })).EnsureSuccessStatusCode();
        var (accepted, refused) = (0, 0);
        using var load = HttpLoad.For(hosts.Client, Throughput.Connections);
        var ingestBefore = ProcessStats.CpuSeconds(processes["ingest"]);
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, Throughput.Connections), async (_, _) =>
        {
            var n = 0;
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
            {
                var (status, _) = await load.PostAsync("/v1/events", Platform.EventJson(tenant, n++));
                if (status == HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref accepted);
                }
                else if (status == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var ingestMs = (ProcessStats.CpuSeconds(processes["ingest"]) - ingestBefore) * 1000;
        return new Dictionary<string, double>
        {
            ["accepted_per_second"] = accepted / elapsed,
            ["refused_per_second"] = refused / elapsed,
            ["ingest_cpu_ms_per_request"] = ingestMs / Math.Max(1, accepted + refused),
        };
    }

    /// <summary>
    /// Ingest as a process of its own with no dispatcher: single events from 32 connections, each POST awaited, as fast as it
    /// accepts them (warmed until steady, and settled); its accept rate, the POSTs' p50 and p99, and the CPU an event of Ingest,
    /// the servers and the load. Its events (a tenant without endpoints: nothing to deliver) are purged once it is done.
    /// </summary>
    private static async Task<Dictionary<string, double>> IngestAloneAsync(Platform platform, (int? Broker, int? Store) servers, string tenant, int events)
    {
        await using var alone = await platform.StartProcessesAsync(0);
        var warmed = await ProcessStats.WarmUntilSteadyAsync([alone.Ingest.Id],
            round => platform.PublishConcurrentlyAsync($"{tenant}-warm-up-{round}", events / 2, Throughput.Connections, alone.Client), WarmUp(events));
        Console.Error.WriteLine($"Ingest alone warmed in {warmed.Count} rounds of {events / 2} events {Rounds(warmed)}");
        await ProcessStats.SettleAsync([alone.Ingest.Id], TimeSpan.FromSeconds(60));
        var took = new double[events];
        using var load = HttpLoad.For(alone.Client, Throughput.Connections);
        // The CPU of each process the events cost, the load (this process) included: on two cores they share the machine.
        var watched = WithServers(new Dictionary<string, int> { ["ingest"] = alone.Ingest.Id, ["load"] = Environment.ProcessId }, servers);
        var cpuBefore = Cpu(watched);
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, events), new ParallelOptions { MaxDegreeOfParallelism = Throughput.Connections }, async (i, cancellationToken) =>
        {
            var sent = Stopwatch.GetTimestamp();
            await load.PostSuccessfullyAsync("/v1/events", Platform.EventJson(tenant, i), cancellationToken);
            took[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        });
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var latencies = new Latencies(took);
        var figures = new Dictionary<string, double>
        {
            ["accepted_per_second"] = events / seconds,
            ["p50_ms"] = latencies.Percentile(50),
            ["p99_ms"] = latencies.Percentile(99),
        };
        foreach (var (name, cpu) in Cpu(watched))
        {
            figures[name == "ingest" ? "cpu_ms_per_event" : $"cpu_ms_per_event_{name}"] = (cpu - cpuBefore[name]) * 1000 / events;
        }
        return figures;
    }

    private static void Write(Report report, Figures figures, int webhooks, int runs)
    {
        report.Section($"As deployed (the headline): Ingest, a Dispatcher, the bare pipeline and the receiver each a process of its own; {webhooks} webhooks a scenario; {(runs > 1 ? $"medians of {runs} runs" : "one run")}");
        var bare = figures.Median("bare", "webhooks_per_second");
        report.Row("**bare pipeline** (its own process: confirmed publish to a quorum queue → consumer, manual acks → signed POST to the receiver process)",
            $"**{bare:F0} webhooks/s**; CPU per webhook {CpuText(figures, "bare")}");
        report.Figure("bare_webhooks_per_second", bare);
        foreach (var @case in Cases)
        {
            var rate = figures.Median(@case.Name, "webhooks_per_second");
            var ratio = figures.Median(@case.Name, "ratio_to_bare");
            report.Row(@case.What,
                $"{rate:F0} webhooks/s, **{ratio:F2} × bare**; accepted {figures.Median(@case.Name, "events_accepted_per_second"):F0} events/s; CPU per webhook {CpuText(figures, @case.Name)}; " +
                $"per webhook {figures.Median(@case.Name, "redis_operations_per_webhook"):F1} Redis operations sent ({figures.Median(@case.Name, "redis_commands_per_webhook"):F1} commands run), {figures.Median(@case.Name, "broker_publishes_per_webhook"):F1} broker publishes");
            foreach (var name in figures.Names(@case.Name))
            {
                report.Figure($"{@case.Name.Replace('-', '_')}_{name}", figures.Median(@case.Name, name));
            }
        }
        report.Row($"latency at half of the fan-out-1 maximum ({figures.Median("latency", "rate"):F0} events/s, POST → received)",
            $"p50 {figures.Median("latency", "p50_ms"):F1} ms, p95 {figures.Median("latency", "p95_ms"):F1} ms, p99 {figures.Median("latency", "p99_ms"):F1} ms");
        report.Row("a tenant at its quota (200/s, burst 200) flooding from 32 connections",
            $"accepted {figures.Median("quota", "accepted_per_second"):F0}/s, refused {figures.Median("quota", "refused_per_second"):F0}/s, Ingest CPU {figures.Median("quota", "ingest_cpu_ms_per_request"):F2} ms a request");
        report.Row("Ingest alone, no dispatcher (single events from 32 connections, each POST awaited)",
            $"accepted {figures.Median("ingest_alone", "accepted_per_second"):F0} events/s, p50 {figures.Median("ingest_alone", "p50_ms"):F1} ms, p99 {figures.Median("ingest_alone", "p99_ms"):F1} ms; Ingest CPU {figures.Median("ingest_alone", "cpu_ms_per_event"):F2} ms an event"
            + $" (beside it: RabbitMQ {figures.Median("ingest_alone", "cpu_ms_per_event_rabbitmq"):F2}, Redis {figures.Median("ingest_alone", "cpu_ms_per_event_redis"):F2}, the load tool {figures.Median("ingest_alone", "cpu_ms_per_event_load"):F2})");
        report.Row("peak RSS", string.Join(", ", figures.Names("rss").Select(p => $"{p} {figures.Median("rss", p):F0} MB")));
        foreach (var group in new[] { "latency", "quota", "ingest_alone", "rss" })
        {
            foreach (var name in figures.Names(group))
            {
                report.Figure($"{group}_{name}", figures.Median(group, name));
            }
        }
    }

    private static string CpuText(Figures figures, string group)
    {
        var parts = figures.Names(group).Where(n => n.StartsWith("cpu_ms_", StringComparison.Ordinal))
            .Select(n => (Process: n["cpu_ms_".Length..], Ms: figures.Median(group, n))).ToList();
        return $"{string.Join(", ", parts.Select(p => $"{p.Process} {p.Ms:F2}"))} = **{parts.Sum(p => p.Ms):F2} ms**";
    }

    /// <summary>Figures by group and name, one value a run; reported as their median.</summary>
    private sealed class Figures
    {
        private readonly Dictionary<(string Group, string Name), List<double>> _values = [];

        public void Add(string group, string name, double value)
        {
            if (!_values.TryGetValue((group, name), out var list))
            {
                _values[(group, name)] = list = [];
            }
            list.Add(value);
        }

        public double Last(string group, string name) => _values[(group, name)][^1];

        public double Median(string group, string name)
        {
            var sorted = _values.TryGetValue((group, name), out var list) ? list.Order().ToList() : [double.NaN];
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }

        public IEnumerable<string> Names(string group) => _values.Keys.Where(k => k.Group == group).Select(k => k.Name);
    }
}
