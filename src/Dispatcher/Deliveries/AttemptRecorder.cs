using System.Collections.Concurrent;
using Webhooks.Dispatcher.Degraded;

namespace Webhooks.Dispatcher.Deliveries;

/// <summary>
/// Writes attempt records and delivery states to Redis, in order; while Redis is away they wait
/// here (up to a bound) and are written when it returns, so deliveries need not stop for them.
/// </summary>
public sealed partial class AttemptRecorder(RedisCircuit circuit, ILogger<AttemptRecorder> logger) : BackgroundService
{
    public const int Capacity = 100_000;

    /// <summary>Records waiting for Redis now.</summary>
    public int Buffered => _pending.Count;
    private readonly ConcurrentQueue<Func<Task>> _pending = new();

    /// <summary>
    /// Writes a record whose write answers whether it still applied (<see cref="Core.Events.EventStore.RecordAttemptAsync"/>):
    /// that answer, or true when the record had to wait for Redis (and is applied when it returns).
    /// </summary>
    public async Task<bool> RecordAsync(Func<Task<bool>> write)
    {
        if (_pending.IsEmpty)
        {
            var (ok, applied) = await circuit.TryAsync(write);
            if (ok)
            {
                return applied;
            }
        }
        await RecordAsync((Func<Task>)(async () => await write()));
        return true;
    }

    public async Task RecordAsync(Func<Task> write)
    {
        // Behind anything already waiting, so the records of one delivery keep their order.
        if (_pending.IsEmpty && await circuit.TryAsync(write))
        {
            return;
        }
        if (_pending.Count >= Capacity)
        {
            DispatcherTelemetry.RecordsDropped.Add(1);
            LogDropped();
            return;
        }
        _pending.Enqueue(write);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            var flushed = 0;
            while (_pending.TryPeek(out var write) && await circuit.TryAsync(write))
            {
                _pending.TryDequeue(out _);
                flushed++;
            }
            if (flushed > 0)
            {
                LogFlushed(flushed, _pending.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Attempt record dropped: Redis has been away longer than the buffer holds")]
    private partial void LogDropped();

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Flushed} buffered attempt records to Redis ({Pending} still waiting)")]
    private partial void LogFlushed(int flushed, int pending);
}
