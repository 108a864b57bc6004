using Webhooks.Core.Fairness;

namespace Webhooks.Messaging;

/// <summary>
/// The platform's queues and exchanges besides the work lanes (<see cref="TenantLanes"/>
/// names those), named here once instead of derived from class names, because their arguments
/// are fixed at declaration and more than one process declares them (both hosts the lanes, the
/// dead-letter and poison queues; every dispatcher the delay tiers and the fan-out retry queue).
/// </summary>
public static class Queues
{
    /// <summary>
    /// A direct exchange that routes a delivery back to its lane by routing key (the lane's queue
    /// name; an empty key means the fast lane): the delay tiers dead-letter into it, so a retried
    /// or deferred delivery returns to the lane it left.
    /// </summary>
    public const string LanesExchange = "webhooks-delivery-lanes";

    /// <summary>Deliveries and events that will not be attempted again, with their reason, waiting to be indexed.</summary>
    public const string DeadLetter = "webhooks-dead-letter";

    /// <summary>Messages that crashed their consumer <see cref="DeliveryLimit"/> times: kept for a human, never consumed.</summary>
    public const string Poison = "webhooks-poison";

    /// <summary>
    /// The broker counts every delivery of a message, a consumer crash included, so the limit is
    /// generous: only a message that keeps killing dispatchers reaches it. Fixed: it is a queue
    /// argument, and RabbitMQ refuses to declare a queue again with another.
    /// </summary>
    public const int DeliveryLimit = 50;

    /// <summary>MassTransit's exchange for a published message type is named <c>Namespace:Type</c>.</summary>
    public const string EventPublishedExchange = "Webhooks.Contracts:EventPublished";

    /// <summary>Send through the queue's own exchange, so MassTransit does not declare the queue again without its arguments.</summary>
    public static Uri Address(string queue) => new($"exchange:{queue}");

    public static readonly Uri DeadLetterAddress = Address(DeadLetter);

    /// <summary>The arguments of the lanes and the dead-letter queue, as both the declaration and MassTransit's receive endpoints give them.</summary>
    public static IReadOnlyDictionary<string, object?> WorkQueueArguments { get; } = new Dictionary<string, object?>
    {
        ["x-queue-type"] = "quorum",
        ["x-delivery-limit"] = DeliveryLimit,
        ["x-dead-letter-exchange"] = Poison,
    };

    /// <summary>A delay tier's name holds its TTL, because a queue's arguments cannot change once declared.</summary>
    public static string DelayTier(TimeSpan ttl) => $"webhooks-delay-{(long)ttl.TotalMilliseconds}ms";

    /// <summary>Events whose fan-out could not read the registry (Redis away) wait here, then go back to fan-out; the name holds the wait, as a delay tier's does.</summary>
    public static string FanOutRetry(TimeSpan delay) => $"webhooks-fan-out-retry-{(long)delay.TotalMilliseconds}ms";

    /// <summary>Dead letters that could not be indexed (Redis away) wait here, then go back to the dead-letter queue; the name holds the wait.</summary>
    public static string DeadLetterRetry(TimeSpan delay) => $"webhooks-dead-letter-retry-{(long)delay.TotalMilliseconds}ms";

    /// <summary>
    /// Every queue the platform declares (as <see cref="TopologyDeclaration"/> does, with the options'
    /// delay tiers and retry queues) and MassTransit's <c>_error</c> queue of each one consumed, with
    /// its kind: <c>lane</c>, <c>dead_letter</c>, <c>poison</c>, <c>delay</c>, <c>retry</c> or <c>error</c>.
    /// </summary>
    public static IEnumerable<(string Queue, string Kind)> Declared(TopologyOptions options)
    {
        var lanes = TenantLanes.Of(FairnessStage.Events).Concat(TenantLanes.Of(FairnessStage.Deliveries)).ToList();
        foreach (var lane in lanes)
        {
            yield return (lane, "lane");
        }
        yield return (DeadLetter, "dead_letter");
        yield return (Poison, "poison");
        foreach (var tier in options.DelayTiers)
        {
            yield return (DelayTier(tier), "delay");
        }
        if (options.RedisAwayWait is { } deferral)
        {
            yield return (FanOutRetry(deferral), "retry");
            yield return (DeadLetterRetry(deferral), "retry");
        }
        foreach (var consumed in lanes.Append(DeadLetter))
        {
            yield return ($"{consumed}_error", "error");
        }
    }

    /// <summary>
    /// A delay queue holds messages for its TTL (they expire at the head, all with the same TTL)
    /// and then dead-letters them, at least once, to <paramref name="backTo"/>: for deliveries the
    /// lanes exchange, which routes each back to its lane by the routing key it was sent with.
    /// </summary>
    public static Dictionary<string, object?> DelayArguments(TimeSpan ttl, string backTo = LanesExchange) => new()
    {
        ["x-queue-type"] = "quorum",
        ["x-message-ttl"] = (long)ttl.TotalMilliseconds,
        ["x-dead-letter-exchange"] = backTo,
        ["x-dead-letter-strategy"] = "at-least-once",
        ["x-overflow"] = "reject-publish",
    };
}
