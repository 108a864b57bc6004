using MassTransit;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;

namespace Webhooks.Dispatcher.DeadLetters;

/// <summary>Indexes each dead letter into Redis, where the API can list, filter, redrive and purge it.</summary>
public sealed class DeadLetterIndexConsumer(DeadLetterIndex index) : IConsumer<DeliveryDeadLettered>
{
    public Task Consume(ConsumeContext<DeliveryDeadLettered> context) =>
        // The id comes from the message id, so a redelivered message indexes the same dead letter.
        index.AddAsync(DeadLetter.From(SortableId.FromGuid("dl", context.MessageId ?? NewId.NextGuid()), context.Message));
}
