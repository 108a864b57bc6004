namespace Webhooks.Core.Storage;

/// <summary>
/// The names of what belongs to one endpoint, one event or one tenant, each carrying its owner's
/// hash tag (<c>endpoint:{ep_…}:attempts</c>): Redis Cluster places every key of one tag in one slot,
/// so a script or transaction over one owner's keys is allowed there. Ids and tenant names hold no
/// braces (both are validated), so the tag is always the whole owner.
/// </summary>
public static class RedisKeys
{
    public static string Endpoint(string id, string? part = null) => Owned("endpoint", id, part);

    public static string Event(string id, string? part = null) => Owned("event", id, part);

    public static string Tenant(string tenant, string part) => Owned("tenant", tenant, part);

    private static string Owned(string kind, string owner, string? part) => part is null ? $"{kind}:{{{owner}}}" : $"{kind}:{{{owner}}}:{part}";
}

public static class RedisReads
{
    /// <summary>One GET per key, sent together, values in the keys' order: an MGET must stay within one cluster slot, and these keys need not.</summary>
    public static Task<StackExchange.Redis.RedisValue[]> GetEachAsync(this StackExchange.Redis.IDatabase db, IEnumerable<StackExchange.Redis.RedisKey> keys) =>
        Task.WhenAll(keys.Select(key => db.StringGetAsync(key)));
}
