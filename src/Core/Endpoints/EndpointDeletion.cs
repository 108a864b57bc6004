using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Endpoints;

/// <summary>
/// Deleting an endpoint, across the owners of what it leaves: its record (if it still has the version asked for)
/// and its place in its tenant and in the list of endpoints (<see cref="EndpointRegistry"/>), then its run of
/// failures (<see cref="FailureStreaks"/>), and its attempt log, pending set, stats, rate cells and leases
/// (<see cref="RedisKeys.Endpoint.TaggedOwnedBy"/> and <see cref="RedisKeys.Endpoint.UntaggedOwnedBy"/>). Its dead
/// letters stay, to be redriven nowhere or purged, until they expire.
/// </summary>
public sealed class EndpointDeletion(EndpointRegistry registry, FailureStreaks streaks, RedisStorage redis)
{
    private readonly IDatabase _db = redis.Database;

    public async Task<ChangeOutcome> DeleteAsync(WebhookEndpoint endpoint, long? ifVersion = null)
    {
        var outcome = await registry.DeleteAsync(endpoint, ifVersion);
        if (outcome == ChangeOutcome.Changed)
        {
            // The record is gone: what is left of it is found by nobody, and goes (each key on its own: several slots).
            var left = RedisKeys.Endpoint.TaggedOwnedBy(endpoint.Id).Skip(1).Concat(RedisKeys.Endpoint.UntaggedOwnedBy(endpoint.Id));
            await Task.WhenAll(left.Select(key => _db.KeyDeleteAsync(key)).Append(streaks.ForgetAsync(endpoint.Id)));
        }
        return outcome;
    }
}
