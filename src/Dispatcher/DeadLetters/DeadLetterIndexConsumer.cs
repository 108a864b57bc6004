using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.DeadLetters;

/// <summary>Indexes each dead letter into Redis, where the API can list, filter, redrive and purge it.</summary>
public sealed class DeadLetterIndexConsumer(DeadLetterIndex index) : IConsumer<DeliveryDeadLettered>
{
    public Task Consume(ConsumeContext<DeliveryDeadLettered> context) =>
        // The id comes from the message id, so a redelivered message indexes the same dead letter.
        index.AddAsync(DeadLetter.From(SortableId.FromGuid("dl", context.MessageId ?? NewId.NextGuid()), context.Message));
}

public sealed class DeadLetterIndexConsumerDefinition : ConsumerDefinition<DeadLetterIndexConsumer>
{
    private readonly DispatcherOptions _options;

    public DeadLetterIndexConsumerDefinition(IOptions<DispatcherOptions> options)
    {
        _options = options.Value;
        EndpointName = BusTopology.DeadLetterQueue;
        ConcurrentMessageLimit = _options.FanOutConcurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<DeadLetterIndexConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConfigureWorkQueue(_options.FanOutPrefetch);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000, 5000));
    }
}
