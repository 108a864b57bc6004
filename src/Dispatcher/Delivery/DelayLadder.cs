using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Durable waits without the delayed-message plugin: a delivery due later goes to the longest
/// delay tier that does not pass its due time, comes back to the delivery queue when the tier's
/// TTL expires, and hops again until it is due. Any wait, a bounded number of queues, and no
/// consumer slot held while waiting.
/// </summary>
public sealed class DelayLadder
{
    public DelayLadder(IOptions<DelayTierOptions> options)
    {
        Tiers = [.. Enumerable.Range(0, options.Value.Count).Select(i => options.Value.Shortest * Math.Pow(2, i))];
    }

    /// <summary>The tiers' TTLs, shortest first.</summary>
    public IReadOnlyList<TimeSpan> Tiers { get; }

    /// <summary>Below this a wait is done in place (a second or two at most), not in a tier.</summary>
    public TimeSpan Shortest => Tiers[0];

    /// <summary>The longest tier not beyond <paramref name="remaining"/>, or null when it is shorter than every tier.</summary>
    public TimeSpan? TierFor(TimeSpan remaining) => Tiers.LastOrDefault(t => t <= remaining) is { Ticks: > 0 } tier ? tier : null;

    /// <summary>
    /// Sends a delivery to wait in the tiers until its <see cref="DeliverWebhook.DueAt"/>. Its routing
    /// key names the lane it came from, and the tier dead-letters it back there (through
    /// <see cref="BusTopology.LanesExchange"/>): a backlogged tenant's retries stay in its bulk lane.
    /// </summary>
    public async Task DeferAsync(ConsumeContext context, DeliverWebhook delivery)
    {
        var remaining = (delivery.DueAt ?? DateTimeOffset.UtcNow) - DateTimeOffset.UtcNow;
        var tier = TierFor(remaining) ?? Shortest;
        var lane = BusTopology.LaneOf(context.ReceiveContext.InputAddress);
        var endpoint = await context.GetSendEndpoint(BusTopology.DelayTierAddress(tier));
        await endpoint.Send(delivery, send => send.SetRoutingKey(lane), context.CancellationToken);
    }
}
