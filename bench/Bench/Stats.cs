using System.Diagnostics;

namespace Webhooks.Bench;

/// <summary>Latencies in milliseconds, summarised.</summary>
public sealed record Latencies(IReadOnlyList<double> Milliseconds)
{
    public static double Since(long start, long end) => (end - start) * 1000.0 / Stopwatch.Frequency;

    public double Percentile(double p)
    {
        var sorted = Milliseconds.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public override string ToString() => $"p50 {Percentile(50):F1} ms, p99 {Percentile(99):F1} ms, max {Milliseconds.Max():F1} ms (n={Milliseconds.Count})";
}
