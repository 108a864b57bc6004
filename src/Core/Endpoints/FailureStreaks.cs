using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Endpoints;

/// <summary>
/// Each endpoint's run of failures: since when it has failed without a success (which auto-disable and the
/// <c>webhooks.endpoint.failing</c> announcement go by), and whether that run was announced.
/// </summary>
public sealed class FailureStreaks(RedisStorage redis)
{
    private readonly IDatabase _db = redis.Database;
    private static readonly RedisScript FailingSince = RedisScript.Of<FailureStreaks>("failing-since");

    /// <summary>
    /// Records whether an attempt succeeded and returns since when the endpoint has been failing
    /// without a success in between (null after a success).
    /// </summary>
    public async Task<DateTimeOffset?> RecordOutcomeAsync(string endpointId, bool succeeded, DateTimeOffset at)
    {
        if (succeeded)
        {
            await ForgetAsync(endpointId);
            return null;
        }
        var since = (RedisValue)await FailingSince.RunAsync(_db, [RedisKeys.Endpoint.FailingSince(endpointId)], [at.ToUnixTimeMilliseconds()]);
        return !since.IsNull && since.TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : at;
    }

    /// <summary>Forgets an endpoint's run of failures: switched on again (or deleted), it gets the whole auto-disable period anew.</summary>
    public Task ForgetAsync(string endpointId) => _db.KeyDeleteAsync([RedisKeys.Endpoint.FailingSince(endpointId), RedisKeys.Endpoint.FailingAnnounced(endpointId)]);

    /// <summary>True for the first caller only in a run of failures: that one announces it (the run ends with a success, or when the endpoint is switched on again).</summary>
    public Task<bool> TryAnnounceAsync(string endpointId) => _db.StringSetAsync(RedisKeys.Endpoint.FailingAnnounced(endpointId), 1, when: When.NotExists);
}
