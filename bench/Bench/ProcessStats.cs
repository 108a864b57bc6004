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
    /// Runs <paramref name="round"/> (the same work each time) until the CPU the processes spend on it stops falling: .NET
    /// compiles a host's hot code again, optimised and guided by what it saw, for 10 to 30 seconds of full load after it
    /// starts (some 11,000 methods in Ingest), and only a load keeps that going. A fixed warm-up of a few thousand events
    /// left the hosts at two to three times the CPU per event they settle at. Steady once two rounds in a row are no more
    /// than 5 % under the best before them, after <paramref name="minRounds"/> and the <paramref name="duration"/>'s minimum at least (the
    /// cost stays flat on a plateau while that compiling goes on, then falls at once); gives up at its limit.
    /// Returns the CPU seconds of each round.
    /// </summary>
    public static async Task<IReadOnlyList<double>> WarmUntilSteadyAsync(IReadOnlyCollection<int> pids, Func<int, Task> round, (TimeSpan Minimum, TimeSpan Limit) duration, int minRounds = 4)
    {
        var rounds = new List<double>();
        var (started, calm) = (DateTime.UtcNow, 0);
        while (DateTime.UtcNow < started + duration.Limit)
        {
            var before = pids.Sum(CpuSeconds);
            await round(rounds.Count);
            var spent = pids.Sum(CpuSeconds) - before;
            calm = rounds.Count > 0 && spent > rounds.Min() * 0.95 ? calm + 1 : 0;
            rounds.Add(spent);
            if (calm >= 2 && rounds.Count >= minRounds && DateTime.UtcNow - started >= duration.Minimum)
            {
                break;
            }
        }
        return rounds;
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
