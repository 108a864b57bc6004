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
public sealed class EndpointRegistry(RedisStorage redis, SecretProtector protector)
{
    private readonly IDatabase _db = redis.Database;

    private static readonly RedisScript Replace = RedisScript.Of<EndpointRegistry>("endpoint-replace");
    private static readonly RedisScript Delete = RedisScript.Of<EndpointRegistry>("endpoint-delete");
    private static readonly RedisScript Join = RedisScript.Of<EndpointRegistry>("tenant-join");
    private static readonly RedisScript FailingSince = RedisScript.Of<EndpointRegistry>("failing-since");

    private static string EndpointKey(string id) => RedisKeys.Endpoint.Record(id);
    private static string TenantKey(string tenant) => RedisKeys.Tenant.Endpoints(tenant);
    private static string FailingSinceKey(string id) => RedisKeys.Endpoint.FailingSince(id);
    private static string FailingAnnouncedKey(string id) => RedisKeys.Endpoint.FailingAnnounced(id);
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
    private async Task<long> ReplaceAsync(WebhookEndpoint changed, long readAt)
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
    /// Deletes the endpoint with its run of failures and its attempt log, if it still has <paramref name="ifVersion"/>
    /// (when given); then takes it out of its tenant's set and the list of all endpoints.
    /// </summary>
    public async Task<ChangeOutcome> DeleteAsync(WebhookEndpoint endpoint, long? ifVersion = null)
    {
        var deleted = (long)await Delete.RunAsync(_db,
            [.. RedisKeys.Endpoint.TaggedOwnedBy(endpoint.Id).Select(key => (RedisKey)key)],
            [ifVersion is { } v ? v : ""]);
        if (deleted != 1)
        {
            return deleted == 0 ? ChangeOutcome.Stale : ChangeOutcome.Gone;
        }
        var tenant = _db.CreateTransaction();
        _ = tenant.SetRemoveAsync(TenantKey(endpoint.Tenant), endpoint.Id);
        _ = tenant.StringIncrementAsync(TenantVersionKey(endpoint.Tenant));
        // Its keys outside its slot (rate cells, leases: each expires, but need not wait to).
        await Task.WhenAll(tenant.ExecuteAsync(), _db.SortedSetRemoveAsync(AllKey, endpoint.Id),
            _db.KeyDeleteAsync([.. RedisKeys.Endpoint.UntaggedOwnedBy(endpoint.Id).Select(key => (RedisKey)key)], CommandFlags.None).ContinueWith(_ => { }, TaskScheduler.Default));
        return ChangeOutcome.Changed;
    }

    /// <summary>
    /// Records whether an attempt succeeded and returns since when the endpoint has been failing
    /// without a success in between (null after a success).
    /// </summary>
    public async Task<DateTimeOffset?> RecordOutcomeAsync(string id, bool succeeded, DateTimeOffset at)
    {
        if (succeeded)
        {
            await _db.KeyDeleteAsync([FailingSinceKey(id), FailingAnnouncedKey(id)]);
            return null;
        }
        // In one step: a success clearing the streak between a SET and a GET left a null, read as 0 —
        // an endpoint "failing since 1970", disabled at once (the fault suite found it).
        var since = (RedisValue)await FailingSince.RunAsync(_db, [FailingSinceKey(id)], [at.ToUnixTimeMilliseconds()]);
        return !since.IsNull && since.TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : at;
    }


    /// <summary>Forgets an endpoint's run of failures: switched on again, it gets the whole auto-disable period anew.</summary>
    public Task ClearFailureStreakAsync(string id) => _db.KeyDeleteAsync([FailingSinceKey(id), FailingAnnouncedKey(id)]);

    /// <summary>True for the first caller only in a run of failures: that one announces it (the run ends with a success, or when the endpoint is switched on again).</summary>
    public Task<bool> TryAnnounceFailingAsync(string id) => _db.StringSetAsync(FailingAnnouncedKey(id), 1, when: When.NotExists);

    /// <summary>Switches an endpoint off; false when it was already off or is gone.</summary>
    public async Task<bool> DisableAsync(string id) =>
        (await ChangeAsync(id, e => e.Enabled ? e with { Enabled = false, UpdatedAt = DateTimeOffset.UtcNow } : null)).Outcome == ChangeOutcome.Changed;

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
        return [.. values.Where(v => !v.IsNullOrEmpty).Select(ReadStored).Select(e => new EndpointSubscription(e.Id, e.EventTypes, e.Enabled))];
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
    private Task<RedisValue[]> IdsAfterAsync(string? after, int limit) =>
        _db.SortedSetRangeByValueAsync(AllKey, after is null ? default : (RedisValue)after, default, after is null ? Exclude.None : Exclude.Start, Order.Ascending, 0, limit);

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

    /// <summary>
    /// Re-encrypts every endpoint's secrets whose key is not the current one; returns how many, and
    /// the keys that secrets are encrypted with and the key ring lacks, with how many endpoints each
    /// (those are left as they are).
    /// </summary>
    public async Task<(int Reencrypted, IReadOnlyDictionary<string, int> MissingKeys)> ReencryptAsync()
    {
        var count = 0;
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var (raw, stored) in StoredAsync())
        {
            if (KeyIdsOf(stored).All(id => id == protector.CurrentKeyId))
            {
                continue;
            }
            try
            {
                // Written back only if unchanged since this read: a change meanwhile was encrypted with the current key anyway.
                var endpoint = Deserialize(raw);
                count += await ReplaceAsync(endpoint with { Version = endpoint.Version + 1 }, endpoint.Version) == 1 ? 1 : 0;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                CountMissingKeys(stored, missing);
            }
        }
        return (count, missing);
    }

    /// <summary>The keys that endpoints' secrets are encrypted with and the key ring does not hold, with how many endpoints each.</summary>
    public async Task<IReadOnlyDictionary<string, int>> MissingKeysAsync()
    {
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var (_, stored) in StoredAsync())
        {
            CountMissingKeys(stored, missing);
        }
        return missing;
    }

    private void CountMissingKeys(WebhookEndpoint stored, Dictionary<string, int> missing)
    {
        foreach (var keyId in KeyIdsOf(stored).Distinct())
        {
            if (keyId is not null && !protector.Holds(keyId))
            {
                missing[keyId] = missing.GetValueOrDefault(keyId) + 1;
            }
        }
    }

    /// <summary>The key ids of a stored endpoint's encrypted values (null for one stored in clear, from before it was encrypted).</summary>
    private static IEnumerable<string?> KeyIdsOf(WebhookEndpoint stored) =>
        new[] { stored.Secret, stored.PreviousSecret }.OfType<string>().Concat(stored.Headers.Values).Select(SecretProtector.KeyIdOf);

    /// <summary>Every endpoint as stored (secrets still encrypted), read a page at a time in creation order.</summary>
    private async IAsyncEnumerable<(RedisValue Raw, WebhookEndpoint Stored)> StoredAsync()
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
                yield return (raw, ReadStored(raw));
            }
            after = ids[^1];
        }
    }

    /// <summary>An endpoint as stored, its secrets left encrypted.</summary>
    private static WebhookEndpoint ReadStored(RedisValue value) => JsonSerializer.Deserialize<WebhookEndpoint>((string)value!, WebhooksJson.Options)!;

    // Custom header values often carry a subscriber's credentials: encrypted like the secrets, each bound to its endpoint and name.
    private string Serialize(WebhookEndpoint endpoint) => JsonSerializer.Serialize(endpoint with
    {
        Secret = protector.Protect(endpoint.Secret, endpoint.Id),
        PreviousSecret = endpoint.PreviousSecret is null ? null : protector.Protect(endpoint.PreviousSecret, endpoint.Id),
        Headers = endpoint.Headers.ToDictionary(h => h.Key, h => protector.Protect(h.Value, HeaderBinding(endpoint.Id, h.Key))),
    }, WebhooksJson.Options);

    private WebhookEndpoint Deserialize(RedisValue value)
    {
        var stored = ReadStored(value);
        return stored with
        {
            Secret = protector.Unprotect(stored.Secret, stored.Id),
            PreviousSecret = stored.PreviousSecret is null ? null : protector.Unprotect(stored.PreviousSecret, stored.Id),
            // A value from before header values were encrypted is read as it is (start-up re-encryption then encrypts it).
            Headers = stored.Headers.ToDictionary(h => h.Key, h => SecretProtector.KeyIdOf(h.Value) is null ? h.Value : protector.Unprotect(h.Value, HeaderBinding(stored.Id, h.Key))),
        };
    }

    private static string HeaderBinding(string endpointId, string name) => $"{endpointId}:header:{name.ToLowerInvariant()}";
}
