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
        var began = !since.IsNull && since.TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : at;
        if (began.ToUnixTimeMilliseconds() == at.ToUnixTimeMilliseconds())
        {
            // A run begins (once per run, never on a success): listed for the operators' "failing longest".
            await _db.SortedSetAddAsync(RedisKeys.Global.FailingEndpoints, endpointId, began.ToUnixTimeMilliseconds());
        }
        return began;
    }

    /// <summary>
    /// The endpoints failing longest, oldest run first, with when their run began: up to <paramref name="limit"/>,
    /// from the list of runs begun, each checked against its failing-since (a run a success ended leaves the list here).
    /// </summary>
    public async Task<IReadOnlyList<(string EndpointId, DateTimeOffset Since)>> LongestAsync(int limit)
    {
        var found = new List<(string, DateTimeOffset)>();
        for (long start = 0; found.Count < limit;)
        {
            var listed = await _db.SortedSetRangeByRankWithScoresAsync(RedisKeys.Global.FailingEndpoints, start, start + limit - 1);
            if (listed.Length == 0)
            {
                break;
            }
            var current = await _db.GetEachAsync(listed.Select(e => (RedisKey)RedisKeys.Endpoint.FailingSince(e.Element!)));
            var ended = new List<RedisValue>();
            foreach (var (entry, since) in listed.Zip(current))
            {
                if (since.IsNull || !since.TryParse(out long ms))
                {
                    ended.Add(entry.Element);
                }
                else if (found.Count < limit)
                {
                    found.Add((entry.Element!, DateTimeOffset.FromUnixTimeMilliseconds(ms)));
                }
            }
            if (ended.Count > 0)
            {
                await _db.SortedSetRemoveAsync(RedisKeys.Global.FailingEndpoints, [.. ended]);
            }
            start += listed.Length - ended.Count;
        }
        // A run that began again after its listing failed is listed by its own failing-since.
        return [.. found.OrderBy(f => f.Item2)];
    }

    /// <summary>Forgets an endpoint's run of failures: switched on again (or deleted), it gets the whole auto-disable period anew.</summary>
    public Task ForgetAsync(string endpointId) => Task.WhenAll(
        _db.KeyDeleteAsync([RedisKeys.Endpoint.FailingSince(endpointId), RedisKeys.Endpoint.FailingAnnounced(endpointId)]),
        _db.SortedSetRemoveAsync(RedisKeys.Global.FailingEndpoints, endpointId));

    /// <summary>True for the first caller only in a run of failures: that one announces it (the run ends with a success, or when the endpoint is switched on again).</summary>
    public Task<bool> TryAnnounceAsync(string endpointId) => _db.StringSetAsync(RedisKeys.Endpoint.FailingAnnounced(endpointId), 1, when: When.NotExists);
}
