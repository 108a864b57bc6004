namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition with a deadline instead of sleeping for a fixed time.</summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var last = await probe();
        while (!condition(last))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}; last observed: {last}");
            }
            await Task.Delay(50);
            last = await probe();
        }
        return last;
    }

    /// <summary>
    /// Lets <paramref name="within"/> pass so that what must not happen would have happened by then (a retry due, a
    /// copy coming back): the assertion after it then proves that nothing more arrived. Names what it waits out.
    /// </summary>
    public static Task NothingMoreWithinAsync(TimeSpan within, string what) => Task.Delay(within);

    /// <summary>Lets time pass on purpose, for a clock-driven rule to act (a limit refilling, a period running out); says which.</summary>
    public static Task TimePassesAsync(TimeSpan duration, string forWhat) => Task.Delay(duration);
}
