using System.ComponentModel.DataAnnotations;

namespace Webhooks.Dispatcher;

/// <summary>How much a dispatcher takes on at once (section <c>Webhooks:Dispatcher</c>).</summary>
public sealed class DispatcherOptions
{
    public const string Section = "Webhooks:Dispatcher";

    [Range(1, 1000)]
    public int FanOutConcurrency { get; set; } = 16;

    [Range(1, 10_000)]
    public int FanOutPrefetch { get; set; } = 32;

    /// <summary>Deliveries in flight per dispatcher: HTTP is async, so this can be high.</summary>
    [Range(1, 10_000)]
    public int DeliveryConcurrency { get; set; } = 64;

    [Range(1, 10_000)]
    public int DeliveryPrefetch { get; set; } = 128;

    /// <summary>How long one fan-out may hold its event before another copy of the event may take over.</summary>
    public TimeSpan FanOutLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each dispatcher asks the broker for every queue's depth and consumers (the <c>webhooks.queue.*</c> gauges).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan QueueSampling { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a TCP connect to a subscriber may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
