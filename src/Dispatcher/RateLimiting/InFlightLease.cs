namespace Webhooks.Dispatcher.RateLimiting;

/// <summary>One of an endpoint's in-flight places, held for one request; release it when the request is done.</summary>
public sealed class InFlightLease(InFlightLimiter limiter, string endpointId, Func<Task<bool>> release, string? id = null)
{
    /// <summary>Notes how long the request took, which paces the endpoint's line at its cap.</summary>
    public void Observe(TimeSpan requestTime) => limiter.Observe(endpointId, requestTime);

    private int _released;

    /// <summary>Gives the place back; a second call does nothing.</summary>
    public Task ReleaseAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? release() : Task.CompletedTask;

    /// <summary>
    /// The lease's id in Redis, for a write that gives the place back itself (the attempt's record, in the endpoint's slot); from
    /// then on <see cref="ReleaseAsync"/> does nothing. Null when the lease was taken without Redis (held in this dispatcher) or is
    /// released already: then it is released as usual.
    /// </summary>
    public string? HandOver() => id is not null && Interlocked.Exchange(ref _released, 1) == 0 ? id : null;
}
