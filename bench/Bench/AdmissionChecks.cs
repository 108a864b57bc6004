using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Webhooks.Bench;

/// <summary>
/// The in-process dispatcher's admission checks (<c>webhooks.delivery.admission.duration</c>: one
/// Redis check of the in-flight cap or of the rate limit), collected from its creation on.
/// </summary>
public sealed class AdmissionChecks : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _byCheck = new();

    public AdmissionChecks()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument is { Name: "webhooks.delivery.admission.duration", Meter.Name: "Webhooks.Dispatcher" })
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "check", Value: string check })
                {
                    _byCheck.GetOrAdd(check, _ => new()).Enqueue(seconds * 1000);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>The checks made so far, in milliseconds, by check.</summary>
    public IReadOnlyDictionary<string, Latencies> Made() =>
        _byCheck.Where(c => !c.Value.IsEmpty).ToDictionary(c => c.Key, c => new Latencies([.. c.Value]));

    /// <summary>One row per check (p50, p99, max) and its p99 as a figure, <paramref name="when"/> naming the load.</summary>
    public static void Report(Report report, IReadOnlyDictionary<string, Latencies> checks, string when, string figurePrefix)
    {
        foreach (var (check, times) in checks.OrderBy(c => c.Key))
        {
            report.Row($"admission check {when}: {check.Replace('_', ' ')} (one Redis script)", $"p50 {times.Percentile(50):F2} ms, p99 {times.Percentile(99):F2} ms, max {times.Milliseconds.Max():F2} ms (n={times.Milliseconds.Count})");
            report.Figure($"{figurePrefix}_admission_{check}_p99_ms", times.Percentile(99));
        }
    }

    public void Dispose() => _listener.Dispose();
}
