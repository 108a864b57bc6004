using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Webhooks.Messaging;

namespace Webhooks.Dispatcher;

/// <summary>The Dispatcher's own traces and metrics: its ActivitySource, its Meter and every instrument on it.</summary>
public static class DispatcherTelemetry
{
    public const string SourceName = "Webhooks.Dispatcher";

    public static readonly ActivitySource Activities = new(SourceName);

    private static readonly Meter Meter = new(SourceName);

    public static readonly Counter<long> Attempts = Meter.CreateCounter<long>("webhooks.delivery.attempts", description: "Delivery attempts, by outcome (delivered, failed) and status class (2xx … 5xx, none when no answer came).");

    public static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("webhooks.delivery.dead_lettered", description: "Deliveries and events dead-lettered, by reason.");

    public static readonly Counter<long> Deferred = Meter.CreateCounter<long>("webhooks.delivery.deferred", description: "Deliveries put off, by reason: rate_limit and max_in_flight (without an attempt), retry_after (a retry at the time the subscriber's Retry-After asked).");

    public static readonly Counter<long> EndpointsDisabled = Meter.CreateCounter<long>("webhooks.endpoints.disabled", description: "Endpoints switched off by the dispatcher, by reason (failing, gone).");

    // Buckets in seconds that fit each histogram: OpenTelemetry's defaults (0, 5, 10, 25 … 10000) are for milliseconds.
    public static readonly Histogram<double> AttemptDuration = Meter.CreateHistogram("webhooks.delivery.attempt.duration", unit: "s", description: "Duration of one HTTP attempt.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60] });

    public static readonly Histogram<double> AdmissionCheck = Meter.CreateHistogram("webhooks.delivery.admission.duration", unit: "s",
        description: "One admission check against Redis, by check (in_flight, rate_limit); deliberate waits excluded.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1] });

    public static readonly Histogram<double> Lag = Meter.CreateHistogram("webhooks.delivery.lag", unit: "s", description: "From the event's occurrence to its successful delivery.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400] });

    public static readonly Counter<long> SchemaViolations = Meter.CreateCounter<long>("webhooks.fanout.schema_violations",
        description: "Bus-published events whose data did not conform to their type's schema in the catalog, by type and outcome: accepted (warn, marked on the event) or refused (enforce, dead-lettered invalid_event).");

    public static readonly Counter<long> FanOutDeliveries = Meter.CreateCounter<long>("webhooks.fanout.deliveries", description: "Deliveries queued by fan-out, by lane (fast, bulk).");

    public static readonly Counter<long> FanOutAttempts = Meter.CreateCounter<long>("webhooks.fanout.attempts", description: "First attempts fan-out made itself rather than queue them on a delivery lane.");

    public static readonly Counter<long> DeadLettersDropped = Meter.CreateCounter<long>("webhooks.dead_letters.dropped", description: "Oldest dead letters forgotten because their tenant was over its dead-letter quota (the log names the tenant).");

    public static readonly Counter<long> RecordsDropped = Meter.CreateCounter<long>("webhooks.records.dropped", description: "Attempt records dropped because Redis stayed away longer than the buffer holds.");

    /// <summary>What one dispatcher host shows through the gauges, while it runs (<see cref="Observe"/>).</summary>
    public sealed record Observed(QueueDepths.QueueSampler Queues, Endpoints.FailingEndpoints Failing, Func<int> Buffered, Func<bool> Degraded);

    // The gauges are created once, over the hosts running now: a stopped host (tests start many in one process)
    // is no longer read, and two running ones report their own series (the queues carry their virtual host).
    private static readonly ConcurrentDictionary<Observed, byte> Live = new();

    private static readonly ObservableGauge<int> Buffered = Meter.CreateObservableGauge("webhooks.records.buffered", () => Live.Keys.Sum(o => o.Buffered()),
        description: "Attempt records waiting for Redis.");

    private static readonly ObservableGauge<int> Degraded = Meter.CreateObservableGauge("webhooks.redis.degraded", () => Live.Keys.Any(o => o.Degraded()) ? 1 : 0,
        description: "1 while Redis is unreachable and the dispatcher runs on its fallbacks.");

    private static readonly ObservableGauge<long> QueueMessages = Meter.CreateObservableGauge("webhooks.queue.messages", () => Live.Keys.SelectMany(o => o.Queues.Messages()),
        description: "Messages ready in each queue the platform declares, by queue and kind (lane, dead_letter, poison, delay, retry, error) and virtual host, as last sampled.");

    private static readonly ObservableGauge<long> QueueConsumers = Meter.CreateObservableGauge("webhooks.queue.consumers", () => Live.Keys.SelectMany(o => o.Queues.Consumers()),
        description: "Consumers of each queue, as last sampled.");

    private static readonly ObservableGauge<double> OldestMessage = Meter.CreateObservableGauge("webhooks.queue.oldest_message.age", () => Live.Keys.SelectMany(o => o.Queues.OldestAges()), unit: "s",
        description: "At most how long the oldest message ready in each lane has waited (0 when empty), as this dispatcher sees it: take the minimum across dispatchers.");

    private static readonly ObservableGauge<double> FailingLongest = Meter.CreateObservableGauge("webhooks.endpoint.failing", () => Live.Keys.SelectMany(o => o.Failing.Longest()), unit: "s",
        description: $"How long each of the {Endpoints.FailingEndpoints.Shown} endpoints failing longest (seen failing here in the last 15 minutes) has failed without a success, by endpoint id.");

    /// <summary>Shows a host's state through the gauges until the returned registration is disposed (when the host stops).</summary>
    public static IDisposable Observe(Observed observed)
    {
        Live.TryAdd(observed, 0);
        return new Unobserve(observed);
    }

    private sealed class Unobserve(Observed observed) : IDisposable
    {
        public void Dispose() => Live.TryRemove(observed, out _);
    }

    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);

    /// <summary>An answer's status class (<c>2xx</c> … <c>5xx</c>), or <c>none</c> when no answer came.</summary>
    public static string StatusClass(int? status) => status is >= 100 and < 600 ? $"{status / 100}xx" : "none";

    /// <summary>Every counter at zero for each of its known labels, so that a panel or an alert can tell "none" from "no data".</summary>
    public static void StartAtZero()
    {
        Attempts.Add(0, Tag("outcome", "delivered"), Tag("status_class", "2xx"));
        foreach (var statusClass in new[] { "3xx", "4xx", "5xx", "none" })
        {
            Attempts.Add(0, Tag("outcome", "failed"), Tag("status_class", statusClass));
        }
        foreach (var reason in Core.DeadLetters.DeadLetterReasons.All)
        {
            DeadLettered.Add(0, Tag("reason", reason));
        }
        foreach (var reason in new[] { "rate_limit", "max_in_flight", "retry_after" })
        {
            Deferred.Add(0, Tag("reason", reason));
        }
        FanOutAttempts.Add(0);
        foreach (var lane in new[] { "fast", "bulk" })
        {
            FanOutDeliveries.Add(0, Tag("lane", lane));
        }
        foreach (var reason in new[] { Retries.RetryPolicy.Failing, Retries.RetryPolicy.Gone })
        {
            EndpointsDisabled.Add(0, Tag("reason", reason));
        }
        DeadLettersDropped.Add(0);
        RecordsDropped.Add(0);
    }
}
