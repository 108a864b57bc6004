namespace Webhooks.Dispatcher.RateLimiting;

/// <summary>One of an endpoint's in-flight places, held for one request; release it when the request is done.</summary>
public sealed class InFlightLease(InFlightLimiter limiter, string endpointId, Func<Task<bool>> release)
{
    /// <summary>Notes how long the request took, which paces the endpoint's line at its cap.</summary>
    public void Observe(TimeSpan requestTime) => limiter.Observe(endpointId, requestTime);

    private int _released;

    /// <summary>Gives the place back; a second call does nothing.</summary>
    public Task ReleaseAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? release() : Task.CompletedTask;
}
