using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Webhooks.Core.Fairness;
using Webhooks.ServiceDefaults;

namespace Webhooks.Messaging;

/// <summary>
/// Declares the platform's queues and bindings at start-up, exactly as MassTransit's receive
/// endpoints declare them, so that an event published before any dispatcher ran is queued rather
/// than confirmed into an exchange with nothing bound (and dropped).
/// </summary>
public sealed partial class TopologyDeclaration(BrokerAddress broker, IOptions<TopologyOptions> options, ILogger<TopologyDeclaration> logger) : BackgroundService
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
        await using var connection = await broker.ConnectAsync("webhooks-topology", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await DeclareQueueWithExchangeAsync(channel, Queues.Poison, new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken);
        foreach (var queue in TenantLanes.Of(FairnessStage.Events).Concat(TenantLanes.Of(FairnessStage.Deliveries)).Append(Queues.DeadLetter))
        {
            await DeclareQueueWithExchangeAsync(channel, queue, new Dictionary<string, object?>(Queues.WorkQueueArguments), cancellationToken);
        }
        await channel.ExchangeDeclareAsync(Queues.LanesExchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(TenantLanes.FastLane(FairnessStage.Deliveries), Queues.LanesExchange, "", cancellationToken: cancellationToken);
        foreach (var lane in TenantLanes.Of(FairnessStage.Deliveries))
        {
            await channel.QueueBindAsync(lane, Queues.LanesExchange, lane, cancellationToken: cancellationToken);
        }
        if (options.Value.RedisAwayWait is { } deferral)
        {
            await DeclareQueueWithExchangeAsync(channel, Queues.FanOutRetry(deferral), Queues.DelayArguments(deferral, TenantLanes.FastLane(FairnessStage.Events)), cancellationToken);
            await DeclareQueueWithExchangeAsync(channel, Queues.DeadLetterRetry(deferral), Queues.DelayArguments(deferral, Queues.DeadLetter), cancellationToken);
        }
        foreach (var tier in options.Value.DelayTiers)
        {
            await DeclareQueueWithExchangeAsync(channel, Queues.DelayTier(tier), Queues.DelayArguments(tier), cancellationToken);
        }
        await DeclareExchangeAsync(channel, Queues.EventPublishedExchange, cancellationToken);
        await channel.ExchangeBindAsync(TenantLanes.FastLane(FairnessStage.Events), Queues.EventPublishedExchange, "", cancellationToken: cancellationToken);
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
