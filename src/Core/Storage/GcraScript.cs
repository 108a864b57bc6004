using StackExchange.Redis;

namespace Webhooks.Core.Storage;

/// <summary>
/// The generic cell rate algorithm as one atomic Redis script on Redis's own clock, so that any
/// number of dispatchers share one exact limit whatever their clocks say.
/// </summary>
public static class GcraScript
{
    public const double MinPerSecond = 0.001;
    private const long MaxToleranceMicroseconds = 365L * 24 * 3600 * 1_000_000;
    private static readonly RedisScript Cell = RedisScript.Of<RedisStorage>("gcra-cell");


    /// <summary>
    /// Takes <paramref name="cost"/> cells of a limit of <paramref name="perSecond"/> with bursts of
    /// <paramref name="burst"/>: zero when they were free now, else how long until they would be
    /// (and, when <paramref name="reserve"/> is set, they are then taken at that later turn).
    /// </summary>
    /// <remarks><paramref name="toleranceCut"/> shortens the burst tolerance (never below none): room kept for requests that begin a little after their turn.</remarks>
    public static async Task<TimeSpan> RunAsync(IDatabase database, string key, double perSecond, int burst, bool reserve = false, int cost = 1, TimeSpan toleranceCut = default) =>
        await RunAsync(database, key, perSecond, burst, reserve ? "1" : "0", cost, toleranceCut);

    /// <summary>How long until <paramref name="cost"/> cells would be free, taking none (zero: they are free now).</summary>
    public static Task<TimeSpan> PeekAsync(IDatabase database, string key, double perSecond, int burst, int cost = 1) =>
        RunAsync(database, key, perSecond, burst, "2", cost, default);

    private static async Task<TimeSpan> RunAsync(IDatabase database, string key, double perSecond, int burst, string mode, int cost, TimeSpan toleranceCut)
    {
        // Clamped, so that no rate (one stored before the API refused it, a computed one) overflows the arithmetic:
        // at most one cell in about 17 minutes, at least a microsecond apart, a tolerance of at most a year.
        var interval = (long)(1_000_000 / Math.Clamp(double.IsNaN(perSecond) ? MinPerSecond : perSecond, MinPerSecond, 1_000_000));
        var tolerance = Math.Max(0, Math.Min(interval * (long)Math.Clamp(burst - 1, 0, 10_000_000), MaxToleranceMicroseconds) - (long)toleranceCut.TotalMicroseconds);
        var result = (long)await Cell.RunAsync(database, [key], [interval, tolerance, mode, cost]);
        return TimeSpan.FromMicroseconds(result);
    }
}
