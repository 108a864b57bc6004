using MassTransit;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using Webhooks.Contracts;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Fairness;
using Webhooks.ServiceDefaults;

namespace Webhooks.Messaging;

/// <summary>
/// Durable waits without the delayed-message plugin: a delivery due later goes to the longest
/// delay tier that does not pass its due time, comes back to the delivery queue when the tier's
/// TTL expires, and hops again until it is due. Any wait, a bounded number of queues, and no
/// consumer slot held while waiting.
/// </summary>
public sealed class DelayLadder
{
    private readonly TimeProvider _clock;
    private readonly BrokerOptions _broker;

    public DelayLadder(IOptions<DelayTierOptions> options, IOptions<BrokerOptions> broker, TimeProvider clock)
    {
        _clock = clock;
        _broker = broker.Value;
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
    /// key names <paramref name="lane"/>, by default the lane it came from, and the tier dead-letters it back there (through
    /// <see cref="Queues.LanesExchange"/>): a backlogged tenant's retries stay in its bulk lane.
    /// It is sent without trace context, so that what it does when due is a trace of its own
    /// (linked through <see cref="DeliverWebhook.TraceLink"/>) rather than part of one hours long.
    /// </summary>
    public async Task DeferAsync(ConsumeContext context, DeliverWebhook delivery, string? lane = null)
    {
        var now = _clock.GetUtcNow();
        var remaining = (delivery.DueAt ?? now) - now;
        var tier = TierFor(remaining) ?? Shortest;
        lane ??= TenantLanes.LaneOf(FairnessStage.Deliveries, context.ReceiveContext.InputAddress);
        var endpoint = await context.GetSendEndpoint(Queues.Address(Queues.DelayTier(tier)));
        using (SuppressInstrumentationScope.Begin())
        {
            await endpoint.Send(delivery, send => send.SetRoutingKey(lane), context.CancellationToken).Confirmed(_broker);
        }
    }
}
