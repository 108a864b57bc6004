using System.Diagnostics;

namespace Webhooks.Faults;

/// <summary>
/// The private servers faults/run.sh started, and the faults done to them: each through
/// faults/control.sh, which knows their folders (<c>rabbitmqctl</c>, signals, restarts).
/// </summary>
public sealed class Servers(FaultOptions options)
{
    public Task StopClusterNodeAsync(int node) => ControlAsync("cluster-node-stop", node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task StartClusterNodeAsync(int node) => ControlAsync("cluster-node-start", node.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task RestartBrokerAsync() => ControlAsync("broker-restart");

    /// <summary>Has the broker raise a memory alarm <paramref name="after"/> s from now and clear it <paramref name="lasting"/> s later (returns at once).</summary>
    public Task MemoryAlarmAsync(int after, int lasting) => ControlAsync("broker-memory-alarm", $"{after}", $"{lasting}");

    public Task StopRedisAsync() => ControlAsync("redis-stop");

    public Task StartRedisAsync() => ControlAsync("redis-start");

    public Task FreezeRedisAsync() => ControlAsync("redis-freeze");

    public Task ThawRedisAsync() => ControlAsync("redis-thaw");

    /// <summary>Every server up and answering again, whatever a fault left behind (a no-op when nothing was).</summary>
    public Task HealAsync() => ControlAsync("heal");

    private async Task ControlAsync(params string[] arguments)
    {
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo("bash", [options.Control, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"faults/control.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await errors}");
        }
        Console.Error.Write(await errors);
        Console.Error.WriteLine($"  [{DateTime.UtcNow:HH:mm:ss}] {string.Join(' ', arguments)}: done in {clock.Elapsed.TotalSeconds:F1} s");
    }
}
