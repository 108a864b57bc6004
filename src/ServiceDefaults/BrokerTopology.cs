using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Webhooks.ServiceDefaults;

/// <summary>
/// Declares the platform's queues and bindings at start-up, exactly as MassTransit's receive
/// endpoints declare them, so that an event published before any dispatcher ran is queued rather
/// than confirmed into an exchange with nothing bound (and dropped).
/// </summary>
public sealed partial class BrokerTopology(IOptions<BusOptions> options, ILogger<BrokerTopology> logger) : BackgroundService
{
    private readonly TaskCompletionSource _declared = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once every queue and binding exists on the broker.</summary>
    public Task Declared => _declared.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeclareAsync(stoppingToken);
                _declared.TrySetResult();
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogNotDeclared(e, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 10));
            }
        }
    }

    private async Task DeclareAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = options.Value.RabbitMqUri, ClientProvidedName = "webhooks-topology" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await DeclareQueueWithExchangeAsync(channel, BusTopology.PoisonQueue, new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken);
        foreach (var queue in BusTopology.FanOutLanes.Concat(BusTopology.DeliveryLanes).Append(BusTopology.DeadLetterQueue))
        {
            await DeclareQueueWithExchangeAsync(channel, queue, new Dictionary<string, object?>(BusTopology.WorkQueueArguments), cancellationToken);
        }
        await channel.ExchangeDeclareAsync(BusTopology.LanesExchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(BusTopology.DeliveryQueue, BusTopology.LanesExchange, "", cancellationToken: cancellationToken);
        foreach (var lane in BusTopology.DeliveryLanes)
        {
            await channel.QueueBindAsync(lane, BusTopology.LanesExchange, lane, cancellationToken: cancellationToken);
        }
        await DeclareQueueWithExchangeAsync(channel, BusTopology.FanOutRetryQueue, BusTopology.DelayTierArguments(BusTopology.FanOutRetryDelay, BusTopology.FanOutQueue), cancellationToken);
        foreach (var tier in options.Value.DelayTiers)
        {
            await DeclareQueueWithExchangeAsync(channel, BusTopology.DelayTierQueue(tier), BusTopology.DelayTierArguments(tier), cancellationToken);
        }
        await DeclareExchangeAsync(channel, BusTopology.EventPublishedExchange, cancellationToken);
        await channel.ExchangeBindAsync(BusTopology.FanOutQueue, BusTopology.EventPublishedExchange, "", cancellationToken: cancellationToken);
        LogDeclared();
    }

    private static async Task DeclareQueueWithExchangeAsync(IChannel channel, string queue, IDictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: cancellationToken);
        await DeclareExchangeAsync(channel, queue, cancellationToken);
        await channel.QueueBindAsync(queue, queue, "", cancellationToken: cancellationToken);
    }

    private static Task DeclareExchangeAsync(IChannel channel, string exchange, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker topology declared")]
    private partial void LogDeclared();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker topology not declared yet (RabbitMQ unreachable?); trying again in {DelaySeconds} s")]
    private partial void LogNotDeclared(Exception exception, double delaySeconds);
}
