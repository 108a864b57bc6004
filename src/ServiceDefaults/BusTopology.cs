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

    /// <summary>Deliveries and events that will not be attempted again, with their reason.</summary>
    public const string DeadLetterQueue = "webhooks-dead-letter";

    /// <summary>MassTransit's exchange for a published message type is named <c>Namespace:Type</c>.</summary>
    public const string EventPublishedExchange = "Webhooks.Contracts:EventPublished";

    /// <summary>Send through the queue's own exchange, so MassTransit does not declare the queue again without its arguments.</summary>
    public static readonly Uri DeliveryAddress = new($"exchange:{DeliveryQueue}");

    public static readonly Uri DeadLetterAddress = new($"exchange:{DeadLetterQueue}");
}
