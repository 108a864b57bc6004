using System.ComponentModel.DataAnnotations;

namespace Webhooks.Dispatcher;

/// <summary>How much a dispatcher takes on at once (section <c>Webhooks:Dispatcher</c>).</summary>
public sealed class DispatcherOptions
{
    public const string Section = "Webhooks:Dispatcher";

    [Range(1, 1000)]
    public int FanOutConcurrency { get; set; } = 64;

    [Range(1, 10_000)]
    public int FanOutPrefetch { get; set; } = 128;

    /// <summary>Deliveries in flight per dispatcher: HTTP is async, so this can be high.</summary>
    [Range(1, 10_000)]
    public int DeliveryConcurrency { get; set; } = 64;

    [Range(1, 10_000)]
    public int DeliveryPrefetch { get; set; } = 128;

    /// <summary>
    /// Fan-out makes each endpoint's first attempt itself when it can go now (endpoint enabled, in-flight cap and rate limit
    /// admit it, the tenant within its fast-lane allowance): one broker hop for a webhook instead of two. Off: every
    /// delivery is sent to the delivery lanes, as before.
    /// </summary>
    public bool DeliverAtFanOut { get; set; } = true;

    /// <summary>First attempts one fan-out makes itself at most, all at once; its other endpoints' deliveries go to the lanes.</summary>
    [Range(1, 1000)]
    public int FanOutAttempts { get; set; } = 32;

    /// <summary>
    /// Deliveries all of this dispatcher's fan-outs hold at once (a fan-out takes one per endpoint before it claims its event, at most
    /// all of them); the next fan-out waits its turn. Memory follows the deliveries in hand, not <see cref="FanOutConcurrency"/> × endpoints.
    /// </summary>
    [Range(1, 1_000_000)]
    public int FanOutDeliveriesInFlight { get; set; } = 1024;

    /// <summary>
    /// First attempts all of this dispatcher's fan-outs make at once; one more waits for a slot. Concurrent fan-outs to many
    /// endpoints would otherwise open <see cref="FanOutConcurrency"/> × <see cref="FanOutAttempts"/> requests.
    /// </summary>
    [Range(1, 100_000)]
    public int FanOutAttemptsInFlight { get; set; } = 256;

    /// <summary>
    /// An endpoint whose request took longer than this is slow: for <see cref="SlowEndpointMemory"/> its deliveries go to the
    /// lanes rather than being attempted at fan-out.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan FanOutAttemptBudget { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an endpoint found slow is left to the delivery lanes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SlowEndpointMemory { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one fan-out may hold its event before another copy of the event may take over.</summary>
    public TimeSpan FanOutLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each dispatcher asks the broker for every queue's depth and consumers (the <c>webhooks.queue.*</c> gauges).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan QueueSampling { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a TCP connect to a subscriber may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
