using System.Text.Json;
using StackExchange.Redis;
using Webhooks.Core.Events;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Endpoints;

/// <summary>
/// The endpoints, kept in Redis: one JSON value per endpoint, indexed by tenant and by creation order.
/// An endpoint's keys share its hash tag (<c>{ep_…}</c>) and a tenant's its own (<c>{tenant}</c>), so that
/// every script touches one Redis Cluster slot; what spans both is done in steps, in an order that
/// never shows a reader an endpoint half made.
/// </summary>
public sealed class EndpointRegistry(RedisStorage redis, EndpointSecrets secrets)
{
    private readonly IDatabase _db = redis.Database;

    private static readonly RedisScript Replace = RedisScript.Of<EndpointRegistry>("endpoint-replace");
    private static readonly RedisScript Delete = RedisScript.Of<EndpointRegistry>("endpoint-delete");
    private static readonly RedisScript Join = RedisScript.Of<EndpointRegistry>("tenant-join");

    private static string EndpointKey(string id) => RedisKeys.Endpoint.Record(id);
    private static string TenantKey(string tenant) => RedisKeys.Tenant.Endpoints(tenant);
    private static string TenantVersionKey(string tenant) => RedisKeys.Tenant.EndpointsVersion(tenant);




    /// <summary>Attempts at a read-change-write before giving up; only writers racing on one endpoint retry.</summary>
    private const int MaxChangeAttempts = 20;
    private const string AllKey = RedisKeys.Global.AllEndpoints;

    /// <summary>
    /// Stores a new endpoint unless its tenant already has <paramref name="quota"/> of them (false then,
    /// nothing kept). The record first, then the list of all endpoints, then the tenant's set (the quota
    /// checked there, atomically): fan-out finds an endpoint through its tenant's set, so it sees it
    /// only once it is whole.
    /// </summary>
    public async Task<bool> CreateAsync(WebhookEndpoint endpoint, int quota)
    {
        await _db.StringSetAsync(EndpointKey(endpoint.Id), Serialize(endpoint));
        // Ids sort by creation time, so a lexical sorted set pages them in creation order.
        await _db.SortedSetAddAsync(AllKey, endpoint.Id, 0);
        if ((long)await Join.RunAsync(_db, [TenantKey(endpoint.Tenant), TenantVersionKey(endpoint.Tenant)], [endpoint.Id, quota]) == 1)
        {
            return true;
        }
        await _db.SortedSetRemoveAsync(AllKey, endpoint.Id);
        await _db.KeyDeleteAsync(EndpointKey(endpoint.Id));
        return false;
    }

    public async Task<WebhookEndpoint?> GetAsync(string id)
    {
        var value = await _db.StringGetAsync(EndpointKey(id));
        return value.IsNullOrEmpty ? null : Deserialize(value);
    }

    /// <summary>
    /// Reads the endpoint, applies <paramref name="change"/> and writes the result only if nobody wrote
    /// the endpoint in between (its version is compared in Redis); when somebody did, reads and applies
    /// again, so two writers never undo each other. <paramref name="precondition"/> (an <c>If-Match</c>)
    /// is checked against every read; <paramref name="change"/> returning null leaves the endpoint as it is.
    /// </summary>
    public async Task<EndpointChange> ChangeAsync(string id, Func<WebhookEndpoint, WebhookEndpoint?> change, Func<WebhookEndpoint, bool>? precondition = null)
    {
        for (var attempt = 0; attempt < MaxChangeAttempts; attempt++)
        {
            if (await GetAsync(id) is not { } current)
            {
                return new EndpointChange(ChangeOutcome.Gone, null);
            }
            if (precondition is not null && !precondition(current))
            {
                return new EndpointChange(ChangeOutcome.Stale, current);
            }
            if (change(current) is not { } changed)
            {
                return new EndpointChange(ChangeOutcome.Unchanged, current);
            }
            changed = changed with { Version = current.Version + 1 };
            switch (await ReplaceAsync(changed, current.Version))
            {
                case 1:
                    return new EndpointChange(ChangeOutcome.Changed, changed);
                case -1:
                    return new EndpointChange(ChangeOutcome.Gone, null);
            }
        }
        throw new InvalidOperationException($"Endpoint '{id}' kept changing under {MaxChangeAttempts} attempts to change it.");
    }

    /// <summary>The compare-and-set of one endpoint; once it is written, its tenant's version moves on (copies of the tenant's endpoints are read again).</summary>
    internal async Task<long> ReplaceAsync(WebhookEndpoint changed, long readAt)
    {
        var replaced = (long)await Replace.RunAsync(_db, [EndpointKey(changed.Id)], [Serialize(changed), readAt]);
        if (replaced == 1)
        {
            await _db.StringIncrementAsync(TenantVersionKey(changed.Tenant));
        }
        return replaced;
    }

    /// <summary>
    /// A number that changes whenever an endpoint of the tenant is created, changed or deleted, so
    /// that a copy of the tenant's endpoints can be kept as long as it has not changed.
    /// </summary>
    public async Task<long> TenantVersionAsync(string tenant) =>
        (long?)await _db.StringGetAsync(TenantVersionKey(tenant)) ?? 0;

    /// <summary>
    /// Deletes the endpoint's record, if it still has <paramref name="ifVersion"/> (when given); then takes it out of its
    /// tenant's set and the list of all endpoints. What else it leaves goes with <see cref="EndpointDeletion"/>.
    /// </summary>
    internal async Task<ChangeOutcome> DeleteAsync(WebhookEndpoint endpoint, long? ifVersion = null)
    {
        var deleted = (long)await Delete.RunAsync(_db, [EndpointKey(endpoint.Id)], [ifVersion is { } v ? v : ""]);
        if (deleted != 1)
        {
            return deleted == 0 ? ChangeOutcome.Stale : ChangeOutcome.Gone;
        }
        var tenant = _db.CreateTransaction();
        _ = tenant.SetRemoveAsync(TenantKey(endpoint.Tenant), endpoint.Id);
        _ = tenant.StringIncrementAsync(TenantVersionKey(endpoint.Tenant));
        await Task.WhenAll(tenant.ExecuteAsync(), _db.SortedSetRemoveAsync(AllKey, endpoint.Id));
        return ChangeOutcome.Changed;
    }

    /// <summary>Switches an endpoint off; false when it was already off or is gone.</summary>
    public async Task<bool> DisableAsync(string id, string reason, DateTimeOffset at) =>
        (await ChangeAsync(id, e => e.Enabled ? e with { Enabled = false, DisabledReason = reason, DisabledAt = at, UpdatedAt = at } : null)).Outcome == ChangeOutcome.Changed;

    /// <summary>Every endpoint of a tenant, secrets decrypted.</summary>
    public async Task<IReadOnlyList<WebhookEndpoint>> ForTenantAsync(string tenant)
    {
        var ids = await _db.SetMembersAsync(TenantKey(tenant));
        return await LoadAsync(ids);
    }

    /// <summary>
    /// What every endpoint of a tenant subscribes to, for fan-out: read without decrypting a secret,
    /// so an endpoint whose secret this process cannot read holds up nobody (its deliveries are
    /// refused at delivery, with their own reason).
    /// </summary>
    public async Task<IReadOnlyList<EndpointSubscription>> SubscriptionsAsync(string tenant)
    {
        var ids = await _db.SetMembersAsync(TenantKey(tenant));
        if (ids.Length == 0)
        {
            return [];
        }
        var values = await GetStoredAsync(ids);
        return [.. values.Where(v => !v.IsNullOrEmpty).Select(ReadStored).Select(e => new EndpointSubscription(e.Id, e.EventTypes, e.Enabled, PayloadFilter.CompileSaved(e.Filter)))];
    }

    /// <summary>The endpoint's tenant, read without decrypting anything (so also of an endpoint whose secret cannot be read); null when it does not exist.</summary>
    public async Task<string?> TenantOfAsync(string id) =>
        (await GetStoredAsync([(RedisValue)id])).FirstOrDefault(v => !v.IsNullOrEmpty) is { IsNullOrEmpty: false } value ? ReadStored(value).Tenant : null;

    /// <summary>The URL and description of each endpoint that still exists, read without decrypting anything.</summary>
    public async Task<IReadOnlyDictionary<string, (string Url, string? Description)>> DescribeAsync(IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0)
        {
            return new Dictionary<string, (string, string?)>();
        }
        var values = await GetStoredAsync([.. ids.Select(id => (RedisValue)id)]);
        return values.Where(v => !v.IsNullOrEmpty).Select(ReadStored).ToDictionary(e => e.Id, e => (e.Url, e.Description));
    }

    /// <summary>A page of endpoints in creation order, optionally of one tenant, after the given id.</summary>
    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string? tenant, string? after, int limit)
    {
        if (tenant is not null)
        {
            var all = await ForTenantAsync(tenant);
            return [.. all.Where(e => after is null || string.CompareOrdinal(e.Id, after) > 0).OrderBy(e => e.Id, StringComparer.Ordinal).Take(limit)];
        }
        return await LoadAsync(await IdsAfterAsync(after, limit));
    }

    /// <summary>Endpoint ids in creation order after <paramref name="after"/> (ids sort by creation time).</summary>
    private Task<RedisValue[]> IdsAfterAsync(string? after, int limit) => LexicalIndex.IdsAfterAsync(_db, AllKey, after, limit);

    private async Task<IReadOnlyList<WebhookEndpoint>> LoadAsync(RedisValue[] ids)
    {
        if (ids.Length == 0)
        {
            return [];
        }
        var values = await GetStoredAsync(ids);
        return [.. values.Where(v => !v.IsNullOrEmpty).Select(Deserialize)];
    }

    /// <summary>The stored values of these endpoints, in their order (null where gone): one GET each, sent together, as each may live on another cluster node.</summary>
    private Task<RedisValue[]> GetStoredAsync(RedisValue[] ids) => _db.GetEachAsync(ids.Select(id => (RedisKey)EndpointKey(id!)));

    /// <summary>Every endpoint as stored (secrets still encrypted), read a page at a time in creation order.</summary>
    internal async IAsyncEnumerable<WebhookEndpoint> StoredAsync()
    {
        for (string? after = null; ;)
        {
            var ids = await IdsAfterAsync(after, 500);
            if (ids.Length == 0)
            {
                yield break;
            }
            var values = await GetStoredAsync(ids);
            foreach (var raw in values.Where(v => !v.IsNullOrEmpty))
            {
                yield return ReadStored(raw);
            }
            after = ids[^1];
        }
    }

    /// <summary>An endpoint as stored, its secrets left encrypted.</summary>
    private static WebhookEndpoint ReadStored(RedisValue value) => JsonSerializer.Deserialize<WebhookEndpoint>((string)value!, WebhooksJson.Options)!;

    private string Serialize(WebhookEndpoint endpoint) => JsonSerializer.Serialize(secrets.Seal(endpoint), WebhooksJson.Options);

    private WebhookEndpoint Deserialize(RedisValue value) => secrets.Open(ReadStored(value));
}
