using System.Diagnostics;
using System.Diagnostics.Metrics;
using Webhooks.Dispatcher;

namespace Webhooks.Bench.Scenarios;

/// <summary>
/// A backlog for an endpoint at its in-flight cap (the default 16) that takes 50 ms a request:
/// the endpoint can take at most 16 / 50 ms = 320 a second. Measures how close delivery comes to
/// that ceiling, and how often a delivery was put off (sent to a delay queue and back) on the way.
/// </summary>
public static class CappedBacklog
{
    private const int Cap = 16;
    private static readonly TimeSpan ThinkTime = TimeSpan.FromMilliseconds(50);

    public static async Task RunAsync(Platform platform, Receiver receiver, int events, Report report)
    {
        long deferred = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DispatcherTelemetry.SourceName && instrument.Name == "webhooks.delivery.deferred")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref deferred, value));
        listener.Start();

        await platform.CreateEndpointAsync("capped", receiver.Path("capped", ThinkTime));
        var start = Stopwatch.GetTimestamp();
        await platform.PublishBatchesAsync("capped", events);
        await receiver.WaitForAsync("capped", events, TimeSpan.FromMinutes(10));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var ceiling = Cap / ThinkTime.TotalSeconds;

        report.Section($"Backlog at an in-flight cap: {events} events to an endpoint with maxInFlight {Cap} taking {ThinkTime.TotalMilliseconds:F0} ms a request");
        report.Row("the endpoint's ceiling (cap / request time)", $"{ceiling:F0} webhooks/s");
        report.Row("Webhooks (published → all received)", $"{events / seconds:F0} webhooks/s in {seconds:F1} s");
        report.Row("ratio Webhooks / ceiling", $"{events / seconds / ceiling:F2}");
        report.Row("deliveries put off at the cap, per webhook", $"{Interlocked.Read(ref deferred) / (double)events:F1}");
    }
}
