using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Webhooks.Dispatcher.FanOut;

/// <summary>
/// How much this dispatcher's fan-outs take on at once, across all of them. Without it, concurrent fan-outs to many endpoints
/// would each hold all their deliveries in memory (64 fan-outs of 100 endpoints: 6,400 records, sends and attempts) and open
/// <see cref="DispatcherOptions.FanOutAttempts"/> requests each.
/// <list type="bullet">
/// <item>Deliveries (<see cref="DispatcherOptions.FanOutDeliveriesInFlight"/>): a fan-out takes one unit per endpoint before it claims
/// its event (at most all of them, so the largest still goes), first come first served.</item>
/// <item>First attempts (<see cref="DispatcherOptions.FanOutAttemptsInFlight"/>): an attempt waits for a slot before it is admitted,
/// so it holds no in-flight place or rate token while it waits.</item>
/// </list>
/// </summary>
public sealed class FanOutCapacity(IOptions<DispatcherOptions> options) : IDisposable
{
    private readonly ConcurrencyLimiter _deliveries = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.FanOutDeliveriesInFlight,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private readonly SemaphoreSlim _attempts = new(options.Value.FanOutAttemptsInFlight);

    /// <summary>
    /// Waits until a fan-out to <paramref name="endpoints"/> endpoints may go on; dispose the lease once it is done. None for
    /// no endpoints: such a fan-out holds nothing, so it does not wait behind those that do.
    /// </summary>
    public async Task<IDisposable?> TakeDeliveriesAsync(int endpoints, CancellationToken cancellationToken)
    {
        if (endpoints == 0)
        {
            return null;
        }
        var lease = await _deliveries.AcquireAsync(Math.Min(endpoints, options.Value.FanOutDeliveriesInFlight), cancellationToken);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new InvalidOperationException("The fan-out's deliveries could not be queued for capacity.");
        }
        return lease;
    }

    /// <summary>Runs a first attempt once a slot is free.</summary>
    public async Task<T> RunAttemptAsync<T>(Func<Task<T>> attempt, CancellationToken cancellationToken)
    {
        await _attempts.WaitAsync(cancellationToken);
        try
        {
            return await attempt();
        }
        finally
        {
            _attempts.Release();
        }
    }

    public void Dispose()
    {
        _deliveries.Dispose();
        _attempts.Dispose();
    }
}
