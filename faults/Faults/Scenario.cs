using System.Diagnostics;

namespace Webhooks.Faults;

/// <summary>
/// One fault under steady load: the platform it runs on (a single broker or the three-node cluster;
/// how many Ingests and Dispatchers), and what it does to them while the load runs.
/// </summary>
/// <remarks><c>Refuses</c>: Ingest must answer some requests with 503 meanwhile, or the fault did not happen.</remarks>
public sealed record Scenario(string Name, string Fault, Func<FaultRun, Task> Inject, bool OnCluster = false, int Ingests = 1, int Dispatchers = 2, bool Flapping = false,
    Func<Servers, Task>? Before = null, bool Refuses = false);

/// <summary>A scenario while it runs: its fleet, the servers, the publisher, and a clock from the start of the load.</summary>
public sealed class FaultRun(Fleet fleet, Servers servers, Publisher publisher)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Task> _replacements = [];

    public Fleet Fleet => fleet;

    public Servers Servers => servers;

    /// <summary>Returns <paramref name="seconds"/> after the load started.</summary>
    public async Task At(double seconds)
    {
        var wait = TimeSpan.FromSeconds(seconds) - _clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    /// <summary>
    /// Kills the oldest running host of its kind with <c>kill -9</c> and starts another in its place; the
    /// replacement becomes ready in the background (<see cref="ReplacementsAsync"/>), so that the next fault keeps its time.
    /// </summary>
    public void KillAndReplace(string host)
    {
        var victim = host == "Ingest" ? fleet.Ingests[0] : fleet.Dispatchers[0];
        var pid = victim.Process.Id;
        fleet.Kill(victim);
        Console.Error.WriteLine($"  [{DateTime.UtcNow:HH:mm:ss}] {host} {pid} killed at {_clock.Elapsed.TotalSeconds:F1} s");
        PublishToIngests();
        _replacements.Add(ReplaceAsync(host));
    }

    /// <summary>Completes when every replacement started by <see cref="KillAndReplace"/> is ready.</summary>
    public Task ReplacementsAsync() => Task.WhenAll(_replacements);

    private async Task ReplaceAsync(string host)
    {
        await fleet.StartAsync(host);
        PublishToIngests();
    }

    public void PublishToIngests() => publisher.UseIngests(fleet.Ingests.Select(i => i.Url));
}

public static class Scenarios
{
    /// <summary>The AMQP heartbeat the hosts ask for: a dispatcher frozen three times as long has certainly lost its connection.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("dispatcher-kill", "`kill -9` of a dispatcher at 3, 7 and 11 s, each replaced at once; at least one other always running", async run =>
        {
            foreach (var at in new[] { 3, 7, 11 })
            {
                await run.At(at);
                run.KillAndReplace("Dispatcher");
            }
            await run.ReplacementsAsync();
        }, Dispatchers: 3),
        new("cluster-node-stop", "three-node RabbitMQ cluster: the node the hosts connect to first killed (`SIGKILL`) at 4 s, started again at 10 s", async run =>
        {
            await run.At(4);
            await run.Servers.StopClusterNodeAsync(1);
            await run.At(10);
            await run.Servers.StartClusterNodeAsync(1);
        }, OnCluster: true),
        new("broker-restart", "single RabbitMQ node killed (`SIGKILL`) at 5 s and started again on its data (down ≈ 8 s: Ingest answers 503)", async run =>
        {
            await run.At(5);
            await run.Servers.RestartBrokerAsync();
        }, Refuses: true),
        new("broker-memory-alarm", "RabbitMQ memory alarm (`vm_memory_high_watermark` 0.0001) for 8 s from ≈ 3 s: publishers blocked, Ingest answers 503",
            // Asked for just before the load starts (rabbitmqctl is slow on a loaded machine); the node raises it 4 s later.
            _ => Task.CompletedTask, Before: servers => servers.MemoryAlarmAsync(after: 4, lasting: 8), Refuses: true),
        new("redis-restart", "Redis (AOF on) shut down at 4 s, started again at 9 s", async run =>
        {
            await run.At(4);
            await run.Servers.StopRedisAsync();
            await run.At(9);
            await run.Servers.StartRedisAsync();
        }, Refuses: true),
        new("redis-freeze", "Redis frozen (`SIGSTOP`) from 4 s to 16 s, past every client timeout", async run =>
        {
            await run.At(4);
            await run.Servers.FreezeRedisAsync();
            await run.At(16);
            await run.Servers.ThawRedisAsync();
        }, Refuses: true),
        new("dispatcher-freeze", $"a dispatcher frozen (`SIGSTOP`) at 3 s for {Heartbeat.TotalSeconds * 3:0} s, three heartbeats, then resumed", async run =>
        {
            await run.At(3);
            var frozen = run.Fleet.Dispatchers[0];
            frozen.Freeze();
            await run.At(3 + Heartbeat.TotalSeconds * 3);
            frozen.Thaw();
        }),
        new("ingest-kill", "two Ingests; `kill -9` of one at 4 s and of another at 9 s while batches and single events are accepted, each replaced", async run =>
        {
            foreach (var at in new[] { 4, 9 })
            {
                await run.At(at);
                run.KillAndReplace("Ingest");
            }
            await run.ReplacementsAsync();
        }, Ingests: 2),
        new("flapping-subscribers", "a third endpoint flaps every 8 s: up, 500, 429 with `Retry-After: 1`, 3-s answers, connections cut", _ => Task.CompletedTask, Flapping: true),
    ];
}
