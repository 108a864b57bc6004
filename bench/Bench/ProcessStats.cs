using System.Globalization;

namespace Webhooks.Bench;

/// <summary>CPU time and peak memory of a process, from /proc (Linux).</summary>
public static class ProcessStats
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User plus system CPU seconds the process has used so far.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>
    /// Waits until the processes are quiet — together under 3 % of a core over half a second — as a process that has run
    /// for a while is: the JIT's later tiers, compiled in the background after a warm-up, would otherwise be counted as
    /// the work measured next. Gives up after <paramref name="limit"/> (the result says so).
    /// </summary>
    public static async Task<bool> SettleAsync(IEnumerable<int> pids, TimeSpan limit)
    {
        var watched = pids.ToList();
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var before = watched.Sum(CpuSeconds);
            await Task.Delay(500);
            if (watched.Sum(CpuSeconds) - before < 0.015)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The most resident memory the process has had, in MB (VmHWM).</summary>
    public static double PeakRssMegabytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0).FirstOrDefault();

    /// <summary>The first process whose command line holds every one of <paramref name="parts"/>, if any.</summary>
    public static int? Find(params string[] parts)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (parts.All(p => commandLine.Contains(p, StringComparison.Ordinal)))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // gone meanwhile
            }
        }
        return null;
    }
}
