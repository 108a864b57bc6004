using MassTransit;
using Webhooks.Contracts;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Events;
using Webhooks.Core.Fairness;
using Microsoft.Extensions.Options;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.Ingest.Deliveries;

/// <summary>
/// Sends deliveries again on a fresh retry schedule, through their tenant's delivery lanes (counted
/// against its allowance like any delivery), their attempts numbered on from the last: a redrive, a
/// resend and a recover all go this way.
/// </summary>
public sealed class DeliveryRequeue(DeliveryStore deliveries, TenantLanes lanes, IBus bus, TopologyDeclaration topology, IOptions<BrokerOptions> broker)
{
    /// <summary>The delivery lane for <paramref name="count"/> deliveries of the tenant now.</summary>
    public async Task<ISendEndpoint> LaneAsync(string tenant, int count, CancellationToken cancellationToken)
    {
        // Only dispatchers declare the lanes: never send before they exist, or the broker would drop the message.
        await topology.Declared.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        return await bus.GetSendEndpoint(Queues.Address(await lanes.ChooseAsync(FairnessStage.Deliveries, tenant, count)));
    }

    /// <summary>
    /// Marks the delivery pending on a chain of its own and sends it as its attempt number <paramref name="earlierAttempts"/> + 1:
    /// whatever copy of it still waits for a retry belongs to the chain this one replaces, and is dropped when it comes back.
    /// </summary>
    public async Task SendAsync(ISendEndpoint lane, DeliverWebhook delivery, int earlierAttempts, CancellationToken cancellationToken)
    {
        var chain = DeliverWebhook.NewChain();
        await deliveries.MarkPendingAsync(delivery.EventId, delivery.EndpointId, delivery.DeliveryId, chain, earlierAttempts);
        await SendOnAsync(lane, delivery, earlierAttempts, chain, cancellationToken);
    }

    /// <summary>Sends a delivery already marked pending on <paramref name="chain"/> (claimed: <see cref="EventStore.ClaimPurgedAsync"/>).</summary>
    public Task SendOnAsync(ISendEndpoint lane, DeliverWebhook delivery, int earlierAttempts, string chain, CancellationToken cancellationToken) =>
        lane.Send(delivery with { Attempt = 1, DueAt = null, EarlierAttempts = earlierAttempts, Chain = chain }, cancellationToken).Confirmed(broker.Value);
}
