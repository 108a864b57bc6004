using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Quotas;

/// <summary>
/// Each tenant's quotas: the defaults of <see cref="QuotaOptions"/> under an operator's overrides (a
/// Redis hash per tenant), and the event quota itself — two GCRA cells per tenant, events and bytes,
/// taken together or not at all by one script on Redis's own clock, so that every Ingest replica
/// shares one exact limit.
/// </summary>
public sealed class TenantQuotaStore(RedisStorage redis, IOptions<QuotaOptions> options)
{
    private readonly IDatabase _db = redis.Database;
    private static readonly RedisScript Take = RedisScript.Of<TenantQuotaStore>("tenant-quota");

    private static string OverridesKey(string tenant) => RedisKeys.Tenant.QuotaOverrides(tenant);
    private static string EventsCell(string tenant) => RedisKeys.Tenant.EventsQuota(tenant);
    private static string BytesCell(string tenant) => RedisKeys.Tenant.BytesQuota(tenant);

    private const string EndpointsField = "endpoints";
    private const string EventsPerSecondField = "eventsPerSecond";
    private const string EventsBurstField = "eventsBurst";
    private const string BytesPerSecondField = "bytesPerSecond";
    private const string BytesBurstField = "bytesBurst";
    private const string DeadLettersField = "deadLetters";

    private const string AttemptLogBytesField = "attemptLogBytes";


    /// <summary>How long a slice taken ahead is used before what is left of it lapses.</summary>
    private static readonly TimeSpan SliceLifetime = TimeSpan.FromSeconds(1);

    /// <summary>
    /// What this process took ahead from each tenant's cells and has not used yet. One request at a time
    /// refills it (<see cref="Refill"/>), and the requests waiting meanwhile are served from what it
    /// brings back: a slice taken for a burst of requests is used by that burst, not left to lapse.
    /// </summary>
    private sealed class Slice
    {
        public long Events;
        public long Bytes;
        public long UntilTicks;
        public readonly SemaphoreSlim Refill = new(1, 1);

        /// <summary>Takes from the slice when it holds enough; under the caller's lock.</summary>
        public bool TryTake(int events, long bytes)
        {
            if (Environment.TickCount64 >= UntilTicks || Events < events || Bytes < bytes)
            {
                return false;
            }
            Events -= events;
            Bytes -= bytes;
            return true;
        }
    }

    // A tenant's slice lapses after a second; one that has not been used for a minute is dropped.
    private readonly RecentlyUsed<string, Slice> _slices = new(10_000, TimeSpan.FromMinutes(1));

    public TenantQuotas Defaults => options.Value.Defaults;

    /// <summary>
    /// Counts <paramref name="events"/> events of <paramref name="bytes"/> bytes against the tenant's event quota, all
    /// or nothing. Each call to Redis takes a slice more than asked when it fits (a tenth of a second of the
    /// tenant's rate), and the next requests are served from it here: one script every few requests instead
    /// of two cells written for every event. Small quotas get no slice and stay exact.
    /// </summary>
    public async Task<QuotaVerdict> TakeEventsAsync(string tenant, int events, long bytes)
    {
        var slice = _slices.GetOrAdd(tenant, _ => new Slice());
        lock (slice)
        {
            if (slice.TryTake(events, bytes))
            {
                return new QuotaVerdict.Within();
            }
        }
        await slice.Refill.WaitAsync();
        try
        {
            // Another request may have refilled the slice while this one waited.
            lock (slice)
            {
                if (slice.TryTake(events, bytes))
                {
                    return new QuotaVerdict.Within();
                }
            }
            var defaults = Defaults;
            var result = (RedisResult[])(await Take.RunAsync(_db, [OverridesKey(tenant), EventsCell(tenant), BytesCell(tenant)],
                [defaults.EventsPerSecond, defaults.EventsBurst, defaults.BytesPerSecond, defaults.BytesBurst, events, bytes]))!;
            var code = (long)result[0];
            if (code == 0)
            {
                lock (slice)
                {
                    var live = Environment.TickCount64 < slice.UntilTicks;
                    (slice.Events, slice.Bytes) = ((live ? slice.Events : 0) + (long)result[1], (live ? slice.Bytes : 0) + (long)result[2]);
                    slice.UntilTicks = Environment.TickCount64 + (long)SliceLifetime.TotalMilliseconds;
                }
                return new QuotaVerdict.Within();
            }
            if (code < 0)
            {
                return new QuotaVerdict.LargerThanBurst((string)result[1]!, (long)result[2]);
            }
            await NoteOverAsync(tenant, (string)result[1]!);
            return new QuotaVerdict.Over(TimeSpan.FromMicroseconds(code), (string)result[1]!);
        }
        finally
        {
            slice.Refill.Release();
        }
    }

    /// <summary>How long a tenant stays on the operators' list of tenants over a quota after its last refusal.</summary>
    public static readonly TimeSpan OverQuotaListed = TimeSpan.FromMinutes(15);

    /// <summary>When this process last noted each tenant over a quota (ms of <see cref="Environment.TickCount64"/>): noted again 10 s later at the soonest (a refused flood writes little).</summary>
    private readonly RecentlyUsed<string, long> _notedOver = new(10_000, TimeSpan.FromMinutes(1));

    /// <summary>Lists the tenant as over a quota now (<c>tenants:over-quota</c>, for the operators); the refusal does not wait on it failing.</summary>
    private async Task NoteOverAsync(string tenant, string quota)
    {
        var now = Environment.TickCount64;
        if (_notedOver.TryGetValue(tenant, out var notedAt) && now - notedAt < 10_000)
        {
            return;
        }
        _notedOver.Set(tenant, now);
        try
        {
            await _db.SortedSetAddAsync(RedisKeys.Global.TenantsOverQuota, $"{tenant}|{quota}", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The refusal stands; the list misses this tenant until its next refusal.
        }
    }

    /// <summary>Tenants refused for a quota in the last <see cref="OverQuotaListed"/>, latest first, with the quota and when; older entries are dropped here.</summary>
    public async Task<IReadOnlyList<(string Tenant, string Quota, DateTimeOffset At)>> RecentlyOverAsync()
    {
        var oldest = (DateTimeOffset.UtcNow - OverQuotaListed).ToUnixTimeMilliseconds();
        await _db.SortedSetRemoveRangeByScoreAsync(RedisKeys.Global.TenantsOverQuota, double.NegativeInfinity, oldest, Exclude.Stop);
        var listed = await _db.SortedSetRangeByScoreWithScoresAsync(RedisKeys.Global.TenantsOverQuota, oldest, double.PositiveInfinity, order: Order.Descending, take: 1000);
        return [.. listed.Select(e => ((string)e.Element!).Split('|', 2)).Zip(listed, (parts, e) => (parts[0], parts.Length > 1 ? parts[1] : "", DateTimeOffset.FromUnixTimeMilliseconds((long)e.Score)))];
    }

    /// <summary>Tenants' attempt-log byte quotas as last read, and when (ms of <see cref="Environment.TickCount64"/>): read again after 30 s.</summary>
    private readonly RecentlyUsed<string, (long Bytes, long ReadAt)> _attemptLogBytes = new(10_000, TimeSpan.FromMinutes(10));

    /// <summary>The bytes of attempt log the tenant's endpoints each keep (its override, else the default), as read in the last 30 s: it is read on every attempt.</summary>
    public async Task<long> AttemptLogBytesAsync(string tenant)
    {
        var now = Environment.TickCount64;
        if (_attemptLogBytes.TryGetValue(tenant, out var known) && now - known.ReadAt < 30_000)
        {
            return known.Bytes;
        }
        var overridden = await _db.HashGetAsync(OverridesKey(tenant), AttemptLogBytesField);
        // RedisValue reads a missing field as 0: only a value set is an override.
        var bytes = !overridden.IsNull && overridden.TryParse(out long value) ? value : Defaults.AttemptLogBytes;
        _attemptLogBytes.Set(tenant, (bytes, now));
        return bytes;
    }

    public async Task<TenantQuotas> ForTenantAsync(string tenant) => (await GetOverridesAsync(tenant)).Over(Defaults);

    public async Task<QuotaOverrides> GetOverridesAsync(string tenant)
    {
        var fields = (await _db.HashGetAllAsync(OverridesKey(tenant))).ToDictionary(f => (string)f.Name!, f => (string)f.Value!);
        return new QuotaOverrides(
            Int(fields, EndpointsField), Double(fields, EventsPerSecondField), Int(fields, EventsBurstField),
            Double(fields, BytesPerSecondField), Int(fields, BytesBurstField), Int(fields, DeadLettersField), Int(fields, AttemptLogBytesField));
    }

    /// <summary>Replaces the tenant's overrides (none: the defaults again).</summary>
    public async Task SetOverridesAsync(string tenant, QuotaOverrides overrides)
    {
        var fields = new List<HashEntry>();
        Add(EndpointsField, overrides.Endpoints);
        Add(EventsPerSecondField, overrides.EventsPerSecond);
        Add(EventsBurstField, overrides.EventsBurst);
        Add(BytesPerSecondField, overrides.BytesPerSecond);
        Add(BytesBurstField, overrides.BytesBurst);
        Add(DeadLettersField, overrides.DeadLetters);
        Add(AttemptLogBytesField, overrides.AttemptLogBytes);
        var tx = _db.CreateTransaction();
        _ = tx.KeyDeleteAsync(OverridesKey(tenant));
        if (fields.Count > 0)
        {
            _ = tx.HashSetAsync(OverridesKey(tenant), [.. fields]);
        }
        await tx.ExecuteAsync();

        void Add<T>(string name, T? value) where T : struct, IFormattable
        {
            if (value is { } v)
            {
                fields.Add(new HashEntry(name, v.ToString(null, CultureInfo.InvariantCulture)));
            }
        }
    }

    private static int? Int(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    private static double? Double(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : null;
}
