using MassTransit;
using Webhooks.Contracts;
using Webhooks.Messaging;

namespace Webhooks.UnitTests;

/// <summary>What the broker holds by name: messages waiting in the tiers for hours and queues with their arguments outlive any one version.</summary>
public sealed class WireNamesTests
{
    [Fact]
    public void Messages_between_the_hosts_keep_the_names_they_had_on_the_wire()
    {
        Assert.Equal("urn:message:Webhooks.Contracts:DeliverWebhook", MessageUrn.ForTypeString<DeliverWebhook>());
        Assert.Equal("urn:message:Webhooks.Contracts:DeliveryDeadLettered", MessageUrn.ForTypeString<DeliveryDeadLettered>());
        Assert.Equal("urn:message:Webhooks.Contracts:EventPublished", MessageUrn.ForTypeString<EventPublished>());
    }

    [Fact]
    public void Queues_keep_their_names()
    {
        Assert.Equal(["webhooks-fan-out", "webhooks-fan-out-bulk-1", "webhooks-fan-out-bulk-2", "webhooks-fan-out-bulk-3", "webhooks-fan-out-bulk-4"],
            TenantLanes.Of(Core.Fairness.FairnessStage.Events));
        Assert.Equal(["webhooks-delivery", "webhooks-delivery-bulk-1", "webhooks-delivery-bulk-2", "webhooks-delivery-bulk-3", "webhooks-delivery-bulk-4"],
            TenantLanes.Of(Core.Fairness.FairnessStage.Deliveries));
        Assert.Equal(("webhooks-dead-letter", "webhooks-poison", "webhooks-delivery-lanes"), (Queues.DeadLetter, Queues.Poison, Queues.LanesExchange));
        Assert.Equal("webhooks-delay-1000ms", Queues.DelayTier(TimeSpan.FromSeconds(1)));
        Assert.Equal(("webhooks-fan-out-retry-5000ms", "webhooks-dead-letter-retry-5000ms"), (Queues.FanOutRetry(TimeSpan.FromSeconds(5)), Queues.DeadLetterRetry(TimeSpan.FromSeconds(5))));
    }
}
