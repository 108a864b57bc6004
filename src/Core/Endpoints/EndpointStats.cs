using System.Globalization;
using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Endpoints;

/// <summary>
/// How an endpoint has fared: attempts, successes and a latency histogram per five minutes and per
/// hour, written with each attempt (by the attempt script, in the same round trip) and kept eight
/// days; read as the last hour, day and week.
/// </summary>
public sealed class EndpointStats(RedisStorage redis)
{
    /// <summary>The latency buckets' upper bounds (ms); a slower attempt counts in the last, unbounded one.</summary>
    public static readonly int[] LatencyBoundsMs = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];

    public static readonly TimeSpan Kept = TimeSpan.FromDays(8);
    private static readonly TimeSpan Fine = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Coarse = TimeSpan.FromHours(1);

    private readonly IDatabase _db = redis.Database;

    private static string SummaryKey(string endpointId) => RedisKeys.Endpoint.StatsSummary(endpointId);
    private static string BucketKey(string endpointId, TimeSpan width, long start) => RedisKeys.Endpoint.StatsBucket(endpointId, (int)width.TotalMinutes, start);
    private static long BucketStart(DateTimeOffset at, TimeSpan width) => at.ToUnixTimeMilliseconds() / (long)width.TotalMilliseconds;

    /// <summary>The keys and the latency field one attempt is counted under (see the attempt script).</summary>
    internal static (RedisKey Fine, RedisKey Coarse, RedisKey Summary, string LatencyField) Of(string endpointId, DateTimeOffset at, double durationMs) =>
        (BucketKey(endpointId, Fine, BucketStart(at, Fine)), BucketKey(endpointId, Coarse, BucketStart(at, Coarse)), SummaryKey(endpointId),
            LatencyBoundsMs.FirstOrDefault(b => durationMs <= b) is var bound and > 0 ? $"le{bound}" : "inf");

    private const string FailurePrefix = "failed:";

    /// <summary>The stats field a failed attempt is counted under by its kind: <c>failed:http_500</c>, <c>failed:timeout</c>, … (a bounded set).</summary>
    internal static string FailureField(int? statusCode, string? error) =>
        FailurePrefix + (statusCode is >= 100 and < 600 ? $"http_{statusCode}" : error is { Length: > 0 and <= 40 } e && e.All(c => char.IsAsciiLetterLower(c) || c == '_') ? e : "other");

    /// <summary>Counts a fetch of event data through one of the endpoint's links (<c>dataFetches</c> in its windows).</summary>
    public Task CountDataFetchAsync(string endpointId, DateTimeOffset at) => Task.WhenAll(
        new[] { Fine, Coarse }.Select(async width =>
        {
            var key = BucketKey(endpointId, width, BucketStart(at, width));
            await _db.HashIncrementAsync(key, "fetches");
            await _db.KeyExpireAsync(key, Kept);
        }));

    /// <summary>The last hour (from five-minute buckets), day and week (from hourly ones), and the last success and failure.</summary>
    /// <remarks>With <paramref name="hourly"/>, also the week hour by hour, oldest first (for a chart).</remarks>
    public async Task<EndpointStatsView> ReadAsync(string endpointId, DateTimeOffset now, bool hourly = false)
    {
        var batch = _db.CreateBatch();
        Task<HashEntry[]>[] Buckets(TimeSpan width, int count) =>
            [.. Enumerable.Range(0, count).Select(i => batch.HashGetAllAsync(BucketKey(endpointId, width, BucketStart(now, width) - i)))];
        var hour = Buckets(Fine, 12);
        var week = Buckets(Coarse, 24 * 7);
        var summary = batch.HashGetAllAsync(SummaryKey(endpointId));
        batch.Execute();
        var weekBuckets = await Task.WhenAll(week);
        var last = (await summary).ToDictionary(e => (string)e.Name!, e => (long)e.Value);
        return new EndpointStatsView(
            Window(await Task.WhenAll(hour)), Window(weekBuckets[..24]), Window(weekBuckets),
            last.TryGetValue("lastSuccessAt", out var s) ? DateTimeOffset.FromUnixTimeMilliseconds(s) : null,
            last.TryGetValue("lastFailureAt", out var f) ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null)
        {
            Hourly = hourly ? [.. weekBuckets.Select((bucket, i) => Point(DateTimeOffset.FromUnixTimeMilliseconds((BucketStart(now, Coarse) - i) * (long)Coarse.TotalMilliseconds), bucket)).Reverse()] : null,
        };
    }

    private static StatsPoint Point(DateTimeOffset start, HashEntry[] bucket)
    {
        long Count(string field) => bucket.FirstOrDefault(e => e.Name == field).Value is { IsNull: false } v ? (long)v : 0;
        return new StatsPoint(start, Count("ok"), Count("failed"));
    }

    private static StatsWindow Window(IEnumerable<HashEntry[]> buckets)
    {
        var totals = new Dictionary<string, long>();
        foreach (var entry in buckets.SelectMany(b => b))
        {
            totals[entry.Name!] = totals.GetValueOrDefault(entry.Name!) + (long)entry.Value;
        }
        var succeeded = totals.GetValueOrDefault("ok");
        var failed = totals.GetValueOrDefault("failed");
        var attempts = succeeded + failed;
        int? Percentile(double p)
        {
            if (attempts == 0)
            {
                return null;
            }
            var rank = Math.Ceiling(p * attempts);
            long seen = 0;
            foreach (var bound in LatencyBoundsMs)
            {
                if ((seen += totals.GetValueOrDefault($"le{bound}")) >= rank)
                {
                    return bound;
                }
            }
            return null; // slower than the last bound
        }
        var failures = totals.Where(t => t.Key.StartsWith(FailurePrefix, StringComparison.Ordinal)).OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal)
            .ToDictionary(t => t.Key[FailurePrefix.Length..], t => t.Value);
        return new StatsWindow(attempts, succeeded, failed, attempts == 0 ? null : Math.Round((double)succeeded / attempts, 4),
            new LatencyPercentiles(Percentile(0.5), Percentile(0.9), Percentile(0.99)), totals.GetValueOrDefault("fetches"), failures);
    }
}

/// <summary>An endpoint's record over the last hour, day and week.</summary>
public sealed record EndpointStatsView(StatsWindow LastHour, StatsWindow LastDay, StatsWindow LastWeek, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt, long Pending = 0)
{
    /// <summary>With <c>?series=hourly</c>: the last week hour by hour, oldest first; otherwise left out.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<StatsPoint>? Hourly { get; init; }
}

/// <summary>One hour of an endpoint's attempts, from <see cref="Start"/>.</summary>
public sealed record StatsPoint(DateTimeOffset Start, long Succeeded, long Failed);

/// <summary>
/// One window of an endpoint's stats: the success rate is null without attempts; <paramref name="DataFetches"/> counts fetches
/// through its thin deliveries' data links; <paramref name="FailuresByKind"/> the failed attempts by answer or error
/// (<c>http_500</c>, <c>timeout</c>, <c>connection_failed</c>, …), most first.
/// </summary>
public sealed record StatsWindow(long Attempts, long Succeeded, long Failed, double? SuccessRate, LatencyPercentiles LatencyMs, long DataFetches = 0,
    IReadOnlyDictionary<string, long>? FailuresByKind = null);

/// <summary>Latency percentiles as the upper bound (ms) of the histogram bucket they fall in; null without attempts or beyond the last bound (60 s).</summary>
public sealed record LatencyPercentiles(int? P50, int? P90, int? P99);
