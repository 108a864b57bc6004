namespace Webhooks.ServiceDefaults;

/// <summary>
/// The queues and exchanges of the platform, named here once instead of derived from class names,
/// because their arguments are fixed at declaration and both hosts declare them.
/// </summary>
public static class BusTopology
{
    /// <summary>Events to fan out: bound to the <c>EventPublished</c> message-type exchange.</summary>
    public const string FanOutQueue = "webhooks-fan-out";

    /// <summary>One message per (event, endpoint) pair; competing consumers across dispatchers.</summary>
    public const string DeliveryQueue = "webhooks-delivery";

    /// <summary>Deliveries and events that will not be attempted again, with their reason, waiting to be indexed.</summary>
    public const string DeadLetterQueue = "webhooks-dead-letter";

    /// <summary>Events whose fan-out could not read the registry (Redis away) wait here, then go back to fan-out.</summary>
    public const string FanOutRetryQueue = "webhooks-fan-out-retry";

    public static readonly TimeSpan FanOutRetryDelay = TimeSpan.FromSeconds(5);

    public static readonly Uri FanOutRetryAddress = new($"exchange:{FanOutRetryQueue}");

    /// <summary>Messages that crashed their consumer <see cref="DeliveryLimit"/> times: kept for a human, never consumed.</summary>
    public const string PoisonQueue = "webhooks-poison";

    /// <summary>
    /// The broker counts every delivery of a message, a consumer crash included, so the limit is
    /// generous: only a message that keeps killing dispatchers reaches it.
    /// </summary>
    public const int DeliveryLimit = 50;

    /// <summary>MassTransit's exchange for a published message type is named <c>Namespace:Type</c>.</summary>
    public const string EventPublishedExchange = "Webhooks.Contracts:EventPublished";

    /// <summary>Send through the queue's own exchange, so MassTransit does not declare the queue again without its arguments.</summary>
    public static readonly Uri DeliveryAddress = new($"exchange:{DeliveryQueue}");

    public static readonly Uri DeadLetterAddress = new($"exchange:{DeadLetterQueue}");

    /// <summary>The arguments of the fan-out, delivery and dead-letter queues, as both the topology and MassTransit declare them.</summary>
    public static IReadOnlyDictionary<string, object?> WorkQueueArguments { get; } = new Dictionary<string, object?>
    {
        ["x-queue-type"] = "quorum",
        ["x-delivery-limit"] = DeliveryLimit,
        ["x-dead-letter-exchange"] = PoisonQueue,
    };

    /// <summary>A delay tier's name holds its TTL, because a queue's arguments cannot change once declared.</summary>
    public static string DelayTierQueue(TimeSpan ttl) => $"webhooks-delay-{(long)ttl.TotalMilliseconds}ms";

    public static Uri DelayTierAddress(TimeSpan ttl) => new($"exchange:{DelayTierQueue(ttl)}");

    /// <summary>
    /// A delay tier holds messages for its TTL (they expire at the head, all with the same TTL)
    /// and then dead-letters them, at least once, to the delivery queue's own exchange.
    /// </summary>
    public static Dictionary<string, object?> DelayTierArguments(TimeSpan ttl, string backTo = DeliveryQueue) => new()
    {
        ["x-queue-type"] = "quorum",
        ["x-message-ttl"] = (long)ttl.TotalMilliseconds,
        ["x-dead-letter-exchange"] = backTo,
        ["x-dead-letter-strategy"] = "at-least-once",
        ["x-overflow"] = "reject-publish",
    };
}
