namespace Webhooks.ServiceDefaults;

/// <summary>
/// The queues and exchanges of the platform, named here once instead of derived from class names,
/// because their arguments are fixed at declaration and both hosts declare them.
/// </summary>
public static class BusTopology
{
    /// <summary>Events to fan out: bound to the <c>EventPublished</c> message-type exchange.</summary>
    public const string FanOutQueue = "webhooks-fan-out";

    /// <summary>One message per (event, endpoint) pair; competing consumers across dispatchers. The fast lane.</summary>
    public const string DeliveryQueue = "webhooks-delivery";

    /// <summary>
    /// Bulk lanes: a tenant's events and deliveries beyond its fast-lane allowance queue in the
    /// bulk lane its name hashes to, consumed side by side with the fast lane, so that a tenant
    /// with a huge backlog does not stand in front of everyone else. A fixed number: a lane
    /// removed while it holds messages would strand them.
    /// </summary>
    public const int BulkLanes = 4;

    /// <summary>The fan-out lanes: the fast lane (bound to the <c>EventPublished</c> exchange) first, then the bulk lanes.</summary>
    public static IReadOnlyList<string> FanOutLanes { get; } = Lanes(FanOutQueue);

    /// <summary>The delivery lanes: the fast lane first, then the bulk lanes.</summary>
    public static IReadOnlyList<string> DeliveryLanes { get; } = Lanes(DeliveryQueue);

    private static string[] Lanes(string fastLane) => [fastLane, .. Enumerable.Range(1, BulkLanes).Select(i => $"{fastLane}-bulk-{i}")];

    /// <summary>The bulk lane of a tenant next to <paramref name="fastLane"/>: the same in every process (FNV-1a of the name, not the per-process string hash).</summary>
    public static string BulkLaneOf(string fastLane, string tenant)
    {
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(tenant))
        {
            hash = (hash ^ b) * 16777619u;
        }
        return $"{fastLane}-bulk-{hash % BulkLanes + 1}";
    }

    /// <summary>
    /// A direct exchange that routes a delivery back to its lane by routing key (the lane's queue
    /// name; an empty key means the fast lane): the delay tiers dead-letter into it, so a retried
    /// or deferred delivery returns to the lane it left.
    /// </summary>
    public const string LanesExchange = "webhooks-delivery-lanes";

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
    public static readonly Uri DeliveryAddress = LaneAddress(DeliveryQueue);

    public static Uri LaneAddress(string lane) => new($"exchange:{lane}");

    /// <summary>The lane a delivery was received from, by its input address; the fast lane for anything else.</summary>
    public static string LaneOf(Uri inputAddress) =>
        inputAddress.AbsolutePath.Split('/').Last() is var queue && DeliveryLanes.Contains(queue) ? queue : DeliveryQueue;

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
    /// and then dead-letters them, at least once, to <paramref name="backTo"/>: for deliveries the
    /// lanes exchange, which routes each back to its lane by the routing key it was sent with.
    /// </summary>
    public static Dictionary<string, object?> DelayTierArguments(TimeSpan ttl, string backTo = LanesExchange) => new()
    {
        ["x-queue-type"] = "quorum",
        ["x-message-ttl"] = (long)ttl.TotalMilliseconds,
        ["x-dead-letter-exchange"] = backTo,
        ["x-dead-letter-strategy"] = "at-least-once",
        ["x-overflow"] = "reject-publish",
    };
}
