using System.Text.Json;
using StackExchange.Redis;
using Webhooks.Core;
using Webhooks.Core.Storage;

namespace Webhooks.Ingest.Jobs;

/// <summary>Jobs in Redis: each as JSON, the active ones in a set, every one in a time index (all, and per tenant); a lease says who runs one.</summary>
public sealed class JobStore(RedisStorage redis)
{
    /// <summary>How long a finished job stays visible.</summary>
    public static readonly TimeSpan KeptAfterDone = TimeSpan.FromDays(7);

    private readonly IDatabase _db = redis.Database;
    private static readonly RedisScript Lease = RedisScript.Of<JobStore>("job-lease");
    private static string Key(string id) => RedisKeys.Global.Job(id);
    private static string LeaseKey(string id) => RedisKeys.Global.JobLease(id);
    private const string ActiveKey = RedisKeys.Global.ActiveJobs;
    private const string AllKey = RedisKeys.Global.Jobs;
    private static string TenantKey(string tenant) => RedisKeys.Tenant.Jobs(tenant);


    public async Task CreateAsync(Job job)
    {
        // The record, its lists, and last the active set that runners pick it up from.
        var score = job.CreatedAt.ToUnixTimeMilliseconds();
        await _db.StringSetAsync(Key(job.Id), Serialize(job));
        await _db.SortedSetAddAsync(AllKey, job.Id, score);
        if (job.Tenant is not null)
        {
            await _db.SortedSetAddAsync(TenantKey(job.Tenant), job.Id, score);
        }
        await _db.SetAddAsync(ActiveKey, job.Id);
    }

    public async Task<Job?> GetAsync(string id) => await _db.StringGetAsync(Key(id)) is { IsNullOrEmpty: false } value ? JsonSerializer.Deserialize<Job>((string)value!, WebhooksJson.Options) : null;

    /// <summary>Saves progress; a finished job leaves the active set and expires after <see cref="KeptAfterDone"/>.</summary>
    public async Task SaveAsync(Job job)
    {
        var finished = job.Status is JobStatus.Done or JobStatus.Failed;
        await (finished ? _db.StringSetAsync(Key(job.Id), Serialize(job), KeptAfterDone) : _db.StringSetAsync(Key(job.Id), Serialize(job)));
        if (finished)
        {
            await Forget(job.Id);
        }
    }

    /// <summary>Takes a job out of the active set (finished, or its record is gone).</summary>
    public Task Forget(string id) => _db.SetRemoveAsync(ActiveKey, id);

    public async Task<IReadOnlyList<string>> ActiveAsync() => [.. (await _db.SetMembersAsync(ActiveKey)).Select(v => (string)v!).Order(StringComparer.Ordinal)];

    public async Task<bool> LeaseAsync(string id, string owner, TimeSpan length) =>
        (long)await Lease.RunAsync(_db, [LeaseKey(id)], [owner, (long)length.TotalMilliseconds]) == 1;

    public Task ReleaseAsync(string id) => _db.KeyDeleteAsync(LeaseKey(id));

    /// <summary>A page of jobs, newest first, of a tenant (every one when null).</summary>
    public async Task<(IReadOnlyList<Job> Jobs, IndexPosition? Next)> ListAsync(string? tenant, IndexPosition? after, int limit)
    {
        var walk = new IndexWalk(_db, [tenant is null ? AllKey : TenantKey(tenant)], double.NegativeInfinity, double.PositiveInfinity, after, limit);
        var fresh = await walk.NextPageAsync(limit);
        var values = await _db.GetEachAsync(fresh.Select(e => (RedisKey)Key(e.Element!)));
        var jobs = values.Where(v => !v.IsNullOrEmpty).Select(v => JsonSerializer.Deserialize<Job>((string)v!, WebhooksJson.Options)!).ToList();
        return (jobs, fresh.Count == limit ? new IndexPosition(fresh[^1].Score, fresh[^1].Element!) : null);
    }

    private static string Serialize(Job job) => JsonSerializer.Serialize(job, WebhooksJson.Options);
}
