using System.Diagnostics.Metrics;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>What an SRE watches: deliveries by outcome, attempt durations, and the lag from event to delivery.</summary>
public static class DeliveryMetrics
{
    private static readonly Meter Meter = new(DispatcherApplication.SourceName);

    public static readonly Counter<long> Attempts = Meter.CreateCounter<long>("webhooks.delivery.attempts", description: "Delivery attempts, by outcome (delivered, failed).");

    public static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("webhooks.delivery.dead_lettered", description: "Deliveries and events dead-lettered, by reason.");

    public static readonly Counter<long> Deferred = Meter.CreateCounter<long>("webhooks.delivery.deferred", description: "Deliveries put off without an attempt, by reason (rate_limit, max_in_flight).");

    public static readonly Histogram<double> AttemptDuration = Meter.CreateHistogram<double>("webhooks.delivery.attempt.duration", unit: "s", description: "Duration of one HTTP attempt.");

    public static readonly Histogram<double> Lag = Meter.CreateHistogram<double>("webhooks.delivery.lag", unit: "s", description: "From the event's occurrence to its successful delivery.");
}
