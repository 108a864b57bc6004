using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.QueueDepths;

/// <summary>
/// Asks the broker, every <see cref="DispatcherOptions.QueueSampling"/>, how many messages wait
/// in each queue the platform declares and how many consumers it has (a passive declare on a
/// connection of its own), and keeps the answers for the queue gauges. A queue that does not
/// exist (an <c>_error</c> queue before the first fault) is asked again only every tenth round.
/// </summary>
public sealed partial class QueueSampler(
    BrokerAddress broker,
    IOptions<TopologyOptions> topology,
    TopologyDeclaration declaration,
    IBusControl bus,
    IOptions<DispatcherOptions> options,
    LaneEntries entries,
    Core.QueueDepths.QueueSnapshots snapshots,
    TimeProvider clock,
    ILogger<QueueSampler> logger) : BackgroundService
{
    private const int AbsentRounds = 10;

    private sealed record Sample(string Queue, string Kind, uint Messages, uint Consumers, DateTimeOffset EmptyAt);

    private readonly Dictionary<string, int> _absent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _emptyAt = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<Sample> _samples = [];

    // Which broker's queues (the virtual host): dispatchers of two installations never report the same series.
    private KeyValuePair<string, object?> VirtualHost => DispatcherTelemetry.Tag("vhost", broker.VirtualHost);

    /// <summary>Ready messages per queue, as last sampled.</summary>
    public IEnumerable<Measurement<long>> Messages() =>
        _samples.Select(s => new Measurement<long>(s.Messages, DispatcherTelemetry.Tag("queue", s.Queue), DispatcherTelemetry.Tag("kind", s.Kind), VirtualHost));

    /// <summary>Consumers per queue, as last sampled.</summary>
    public IEnumerable<Measurement<long>> Consumers() =>
        _samples.Select(s => new Measurement<long>(s.Consumers, DispatcherTelemetry.Tag("queue", s.Queue), DispatcherTelemetry.Tag("kind", s.Kind), VirtualHost));

    /// <summary>
    /// Per lane, at most how long its oldest waiting message has waited: 0 when it was empty; else
    /// since the later of when it was last seen empty and when the last message taken from it entered.
    /// </summary>
    public IEnumerable<Measurement<double>> OldestAges()
    {
        var now = clock.GetUtcNow();
        foreach (var s in _samples.Where(s => s.Kind == "lane"))
        {
            yield return new Measurement<double>(OldestAge(s, now), DispatcherTelemetry.Tag("queue", s.Queue), DispatcherTelemetry.Tag("kind", s.Kind), VirtualHost);
        }
    }

    private double OldestAge(Sample s, DateTimeOffset now)
    {
        var since = entries.LastEntered(s.Queue) is { } entered && entered > s.EmptyAt ? entered : s.EmptyAt;
        return s.Messages == 0 ? 0 : Math.Max(0, (now - since).TotalSeconds);
    }

    /// <summary>
    /// The sample, for the API and the SRE console (<see cref="Core.QueueDepths.QueueSnapshots"/>): kept three rounds, so
    /// that it goes when no dispatcher samples. Redis being away costs the console its picture, never the gauges.
    /// </summary>
    private async Task ShareAsync()
    {
        var now = clock.GetUtcNow();
        try
        {
            await snapshots.WriteAsync(new Core.QueueDepths.QueueSnapshot(now, Environment.MachineName,
                [.. _samples.Select(s => new Core.QueueDepths.QueueDepth(s.Queue, s.Kind, s.Messages, s.Consumers, s.Kind == "lane" ? OldestAge(s, now) : null))]),
                options.Value.QueueSampling * 3 + TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            LogNotShared(e);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Before the topology is declared every queue would look absent; and while the bus declares its own
        // endpoints the broker has enough to do: the first sample waits for both (for the bus, ten seconds at
        // most: a bus that stays degraded must not leave the gauges empty).
        await declaration.Declared.WaitAsync(stoppingToken);
        await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(10));
        var started = clock.GetUtcNow();
        using var timer = new PeriodicTimer(options.Value.QueueSampling, clock);
        IConnection? connection = null;
        try
        {
            do
            {
                try
                {
                    connection ??= await broker.ConnectAsync("webhooks-queue-sampler", stoppingToken);
                    _samples = await SampleAsync(connection, started, stoppingToken);
                    await ShareAsync();
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogNotSampled(e);
                    if (connection is { IsOpen: false })
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<IReadOnlyList<Sample>> SampleAsync(IConnection connection, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var samples = new List<Sample>();
        var now = clock.GetUtcNow();
        IChannel? channel = null;
        try
        {
            foreach (var (queue, kind) in Queues.Declared(topology.Value))
            {
                if (_absent.TryGetValue(queue, out var skip) && skip > 0)
                {
                    _absent[queue] = skip - 1;
                    continue;
                }
                channel ??= await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                try
                {
                    var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
                    _absent.Remove(queue);
                    if (ok.MessageCount == 0 || !_emptyAt.ContainsKey(queue))
                    {
                        _emptyAt[queue] = ok.MessageCount == 0 ? now : started;
                    }
                    samples.Add(new Sample(queue, kind, ok.MessageCount, ok.ConsumerCount, _emptyAt[queue]));
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                {
                    // The broker closes the channel on a queue it does not have.
                    _absent[queue] = AbsentRounds;
                    await channel.DisposeAsync();
                    channel = null;
                }
            }
        }
        finally
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }
        }
        return samples;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue depths sampled but not shared in Redis (the console shows none until the next round)")]
    private partial void LogNotShared(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue depths not sampled (RabbitMQ unreachable?); the gauges keep the last sample")]
    private partial void LogNotSampled(Exception exception);
}
