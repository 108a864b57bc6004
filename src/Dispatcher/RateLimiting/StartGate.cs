using System.Diagnostics;

namespace Webhooks.Dispatcher.RateLimiting;

/// <summary>
/// Holds a rate-limited request to its turn where the subscriber counts it: at the first byte it writes. A
/// request admitted by the limiter but held up before it begins (a connection being made, a cold process, a
/// busy machine) would otherwise arrive bunched with the ones admitted after it, and a subscriber counting
/// requests in a window would see more than the limit. So a request that begins later than
/// <see cref="RateLimitOptions.SendSlack"/> after its admission takes a new turn first (waiting for it in
/// place, up to <see cref="RateLimitOptions.MaxInPlaceWait"/>), and the limiter admits with its burst
/// tolerance cut by that slack: at most <c>burst + rate × T</c> requests begin in any window <c>T</c>.
/// The gate travels with the request in an <see cref="AsyncLocal{T}"/>: HTTP/1.1 writes a request on the
/// caller's flow (<see cref="GatedStream"/> is where it is checked).
/// </summary>
public sealed class StartGate(long admittedAt, TimeSpan slack, Func<CancellationToken, Task<TimeSpan?>> takeTurn)
{
    private static readonly AsyncLocal<StartGate?> Current = new();
    private int _passed;

    /// <summary>The gate of the request this flow is sending (set in <see cref="Delivery.WebhookSender"/>, for that request alone).</summary>
    public static StartGate? Carried
    {
        get => Current.Value;
        set => Current.Value = value;
    }

    /// <summary>Before the request's first byte: returns at once when on time; else once a new turn is taken (or throws <see cref="LateStartException"/>).</summary>
    public ValueTask PassAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _passed) == 1 ? ValueTask.CompletedTask
        : Stopwatch.GetElapsedTime(admittedAt) <= slack ? Pass()
        : new ValueTask(TakeTurnAsync(cancellationToken));

    private ValueTask Pass()
    {
        Volatile.Write(ref _passed, 1);
        return ValueTask.CompletedTask;
    }

    private async Task TakeTurnAsync(CancellationToken cancellationToken)
    {
        // Null: the turn is further off than a wait in place; the delivery waits for it in the delay tiers instead.
        if (await takeTurn(cancellationToken) is { } turn)
        {
            throw new LateStartException(turn);
        }
        Volatile.Write(ref _passed, 1);
    }
}

/// <summary>A rate-limited request that began too late to go, and whose new turn is <see cref="Turn"/> away: it was not sent (not an attempt).</summary>
public sealed class LateStartException(TimeSpan turn) : IOException("The request began too late for its rate-limit turn; it was not sent.")
{
    public TimeSpan Turn { get; } = turn;
}
