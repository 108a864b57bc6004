using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Webhooks.Dispatcher;

/// <summary>The Dispatcher's own traces and metrics: its ActivitySource, its Meter and every instrument on it.</summary>
public static class DispatcherTelemetry
{
    public const string SourceName = "Webhooks.Dispatcher";

    public static readonly ActivitySource Activities = new(SourceName);

    private static readonly Meter Meter = new(SourceName);

    public static readonly Counter<long> Attempts = Meter.CreateCounter<long>("webhooks.delivery.attempts", description: "Delivery attempts, by outcome (delivered, failed).");

    public static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("webhooks.delivery.dead_lettered", description: "Deliveries and events dead-lettered, by reason.");

    public static readonly Counter<long> Deferred = Meter.CreateCounter<long>("webhooks.delivery.deferred", description: "Deliveries put off without an attempt, by reason (rate_limit, max_in_flight).");

    // Buckets in seconds that fit each histogram: OpenTelemetry's defaults (0, 5, 10, 25 … 10000) are for milliseconds.
    public static readonly Histogram<double> AttemptDuration = Meter.CreateHistogram("webhooks.delivery.attempt.duration", unit: "s", description: "Duration of one HTTP attempt.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60] });

    public static readonly Histogram<double> AdmissionCheck = Meter.CreateHistogram("webhooks.delivery.admission.duration", unit: "s",
        description: "One admission check against Redis, by check (in_flight, rate_limit); deliberate waits excluded.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1] });

    public static readonly Histogram<double> Lag = Meter.CreateHistogram("webhooks.delivery.lag", unit: "s", description: "From the event's occurrence to its successful delivery.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400] });

    public static readonly Counter<long> FanOutDeliveries = Meter.CreateCounter<long>("webhooks.fanout.deliveries", description: "Deliveries queued by fan-out, by lane (fast, bulk).");

    public static readonly Counter<long> DeadLettersDropped = Meter.CreateCounter<long>("webhooks.dead_letters.dropped", description: "Oldest dead letters forgotten because their tenant was over its dead-letter quota (the log names the tenant).");

    public static readonly Counter<long> RecordsDropped = Meter.CreateCounter<long>("webhooks.records.dropped", description: "Attempt records dropped because Redis stayed away longer than the buffer holds.");

    public static void ObserveBufferedRecords(Func<int> count) =>
        Meter.CreateObservableGauge("webhooks.records.buffered", count, description: "Attempt records waiting for Redis.");

    public static void ObserveDegraded(Func<bool> degraded) =>
        Meter.CreateObservableGauge("webhooks.redis.degraded", () => degraded() ? 1 : 0, description: "1 while Redis is unreachable and the dispatcher runs on its fallbacks.");

    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);

    /// <summary>Every counter at zero for each of its known labels, so that a panel or an alert can tell "none" from "no data".</summary>
    public static void StartAtZero()
    {
        foreach (var outcome in new[] { "delivered", "failed" })
        {
            Attempts.Add(0, Tag("outcome", outcome));
        }
        foreach (var reason in Core.DeadLetters.DeadLetterReasons.All)
        {
            DeadLettered.Add(0, Tag("reason", reason));
        }
        foreach (var reason in new[] { "rate_limit", "max_in_flight" })
        {
            Deferred.Add(0, Tag("reason", reason));
        }
        foreach (var lane in new[] { "fast", "bulk" })
        {
            FanOutDeliveries.Add(0, Tag("lane", lane));
        }
        DeadLettersDropped.Add(0);
        RecordsDropped.Add(0);
    }
}
