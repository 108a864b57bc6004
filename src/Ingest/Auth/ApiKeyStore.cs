using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Webhooks.Core;
using Webhooks.Core.Storage;

namespace Webhooks.Ingest.Auth;

/// <summary>API keys in Redis, found by the hash of the key a caller presents.</summary>
public sealed class ApiKeyStore(RedisStorage redis)
{
    private const string KeyPrefix = "whk_";
    private readonly IDatabase _db = redis.Database;

    private static string Key(string id) => RedisKeys.Global.ApiKey(id);
    private static string HashKey(string hash) => RedisKeys.Global.ApiKeyByHash(hash);
    private const string AllKey = RedisKeys.Global.ApiKeys;

    /// <summary>Keys are 256 random bits, so a fast hash is enough: nothing to brute-force.</summary>
    public static string HashOf(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Creates a key and returns it with its secret, which is not kept and cannot be shown again.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(string role, string? tenant, string? name)
    {
        var secret = KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = new ApiKey { Id = SortableId.New("key"), Role = role, Tenant = tenant, Name = name, Hash = HashOf(secret), Prefix = secret[..12], CreatedAt = DateTimeOffset.UtcNow };
        // The record and the list first; the hash, which makes the secret work, last.
        await _db.StringSetAsync(Key(key.Id), JsonSerializer.Serialize(key, WebhooksJson.Options));
        await _db.SortedSetAddAsync(AllKey, key.Id, 0);
        await _db.StringSetAsync(HashKey(key.Hash), key.Id);
        return (key, secret);
    }

    public async Task<ApiKey?> FindBySecretAsync(string secret)
    {
        var id = await _db.StringGetAsync(HashKey(HashOf(secret)));
        return id.IsNullOrEmpty ? null : await GetAsync(id!);
    }

    public async Task<ApiKey?> GetAsync(string id)
    {
        var value = await _db.StringGetAsync(Key(id));
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<ApiKey>((string)value!, WebhooksJson.Options);
    }

    /// <summary>Keys looked at per page at most, whatever the tenant filter keeps of them.</summary>
    private const int MaxScannedPerPage = 5000;

    /// <summary>
    /// A page of keys in creation order after the key <paramref name="after"/>, optionally of one tenant,
    /// and the key to go on after (null at the end); a page looks at no more than
    /// <see cref="MaxScannedPerPage"/> keys, so it may be short and still have a next.
    /// </summary>
    public async Task<(IReadOnlyList<ApiKey> Keys, string? NextAfter)> ListAsync(string? tenant, string? after, int limit)
    {
        var found = new List<ApiKey>(limit);
        for (var scanned = 0; scanned < MaxScannedPerPage;)
        {
            // Ids sort by creation time, so the lexical order of the set is creation order.
            var ids = await LexicalIndex.IdsAfterAsync(_db, AllKey, after, 500);
            if (ids.Length == 0)
            {
                return (found, null);
            }
            var values = await _db.GetEachAsync(ids.Select(id => (RedisKey)Key(id!)));
            foreach (var (id, value) in ids.Zip(values))
            {
                after = id;
                scanned++;
                if (!value.IsNullOrEmpty && JsonSerializer.Deserialize<ApiKey>((string)value!, WebhooksJson.Options) is { } key && (tenant is null || key.Tenant == tenant))
                {
                    found.Add(key);
                }
                if (found.Count == limit)
                {
                    return (found, after);
                }
            }
        }
        return (found, after);
    }

    public async Task DeleteAsync(ApiKey key)
    {
        // The hash first: the secret stops working at once.
        await _db.KeyDeleteAsync(HashKey(key.Hash));
        await _db.KeyDeleteAsync(Key(key.Id));
        await _db.SortedSetRemoveAsync(AllKey, key.Id);
    }
}
