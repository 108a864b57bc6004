using System.Collections.Concurrent;
using MassTransit;
using Webhooks.Contracts;
using Webhooks.Core.Deliveries;

namespace Webhooks.Dispatcher.QueueDepths;

/// <summary>
/// When the last message this dispatcher took from each queue had entered it: the message sent
/// then, or, for a delivery back from the delay tiers, its due time. A queue is first in, first
/// out, so every message still waiting in it entered later: its oldest is at most that old.
/// </summary>
public sealed class LaneEntries(TimeProvider clock) : IConsumeObserver
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastEntered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Uri, string> _queueOf = new();

    /// <summary>When the last message taken from <paramref name="queue"/> had entered it, if one was.</summary>
    public DateTimeOffset? LastEntered(string queue) => _lastEntered.TryGetValue(queue, out var at) ? at : null;

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class
    {
        var now = clock.GetUtcNow();
        var entered = context.SentTime is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)) : now;
        if (context.Message is DeliverWebhook { DueAt: { } due } && due > entered)
        {
            // Back from a delay tier: it re-entered its lane when the tier let it go, about when it was due.
            entered = due < now ? due : now;
        }
        var queue = _queueOf.GetOrAdd(context.ReceiveContext.InputAddress, address => address.AbsolutePath.Split('/').Last());
        _lastEntered.AddOrUpdate(queue, entered, (_, known) => entered > known ? entered : known);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
