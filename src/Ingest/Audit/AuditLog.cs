using System.Security.Claims;
using System.Text.Json;
using StackExchange.Redis;
using Webhooks.Core;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Auth;

namespace Webhooks.Ingest.Audit;

/// <summary>
/// Who changed what, and when: every change to endpoints, keys and quotas, and every redrive, purge,
/// recover, replay and resend, kept <see cref="Retention"/> and listed by the API, newest first, by
/// tenant and action.
/// </summary>
public sealed class AuditLog(RedisStorage redis, TimeProvider clock)
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(90);
    public const int MaxScannedPerPage = 5000;

    private readonly IDatabase _db = redis.Database;
    private static readonly RedisScript TimeIndex = RedisScript.Of<RedisStorage>("time-index");
    private const string AllKey = RedisKeys.Global.Audit;
    private static string TenantKey(string tenant) => RedisKeys.Tenant.Audit(tenant);
    private static string EntryKey(string id) => RedisKeys.Global.AuditEntry(id);

    /// <summary>Who a request's key is, as the audit log names it: the key's id, or the admin key from configuration.</summary>
    public static string ActorOf(ClaimsPrincipal user) => user.FindFirstValue(ApiKeyAuthentication.KeyIdClaim) ?? "configured admin key";

    /// <summary>Writes an entry of <paramref name="action"/> on <paramref name="target"/> by the caller.</summary>
    public Task RecordAsync(ClaimsPrincipal user, string action, string? tenant, string target, object? detail = null) =>
        RecordAsync(ActorOf(user), Caller.Of(user).Role, action, tenant, target, detail);

    /// <summary>Writes an entry of <paramref name="action"/> by <paramref name="actor"/> (a key's id) of <paramref name="role"/>: what a job did for the key that created it.</summary>
    public async Task RecordAsync(string actor, string role, string action, string? tenant, string target, object? detail = null)
    {
        var at = clock.GetUtcNow();
        var entry = new AuditEntry(SortableId.New("aud"), at, actor, role, tenant, action, target,
            detail is null ? null : JsonSerializer.SerializeToElement(detail, WebhooksJson.Options));
        var score = at.ToUnixTimeMilliseconds();
        // The entry, then its index entries (an index entry without its entry is skipped by readers).
        await _db.StringSetAsync(EntryKey(entry.Id), JsonSerializer.Serialize(entry, WebhooksJson.Options), Retention);
        await Task.WhenAll((tenant is null ? new[] { AllKey } : [AllKey, TenantKey(tenant)])
            .Select(key => TimeIndex.RunAsync(_db, [key], [score, entry.Id, (long)Retention.TotalMilliseconds, "0", ""])));
    }

    /// <summary>A page of entries, newest first, of a tenant (all when null) and an action (all when null), after a position.</summary>
    public async Task<(IReadOnlyList<AuditEntry> Entries, IndexPosition? Next)> ListAsync(string? tenant, string? action, IndexPosition? after, int limit)
    {
        var walk = new IndexWalk(_db, [tenant is null ? AllKey : TenantKey(tenant)], double.NegativeInfinity, double.PositiveInfinity, after, 200);
        var found = new List<AuditEntry>(limit);
        var scanned = 0;
        while (await walk.NextPageAsync(200) is { Count: > 0 } entries)
        {
            var values = await _db.GetEachAsync(entries.Select(e => (RedisKey)EntryKey(e.Element!)));
            foreach (var (entry, value) in entries.Zip(values))
            {
                scanned++;
                if (!value.IsNullOrEmpty && JsonSerializer.Deserialize<AuditEntry>((string)value!, WebhooksJson.Options) is { } read && (action is null || read.Action == action))
                {
                    found.Add(read);
                }
                if (found.Count == limit || scanned >= MaxScannedPerPage)
                {
                    return (found, new IndexPosition(entry.Score, entry.Element!));
                }
            }
        }
        return (found, null);
    }
}

/// <summary>One change: who (the key's id and role), for which tenant, what, on what, with what detail.</summary>
public sealed record AuditEntry(string Id, DateTimeOffset At, string Actor, string Role, string? Tenant, string Action, string Target, JsonElement? Detail);
