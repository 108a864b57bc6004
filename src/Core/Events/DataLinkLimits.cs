using Microsoft.Extensions.Options;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Events;

/// <summary>
/// The limits on thin deliveries' data links (GCRA cells in Redis, <c>datalinks:*</c>): data fetches per endpoint,
/// and links that did not verify, per client address and per endpoint they name.
/// </summary>
public sealed class DataLinkLimits(RedisStorage redis, IOptions<DataLinkOptions> options)
{
    /// <summary>How long a client must wait before its next link is checked (zero: check it now), without counting anything.</summary>
    public async Task<TimeSpan> FailuresBackOffAsync(string clientAddress, string endpointId)
    {
        var limits = options.Value;
        var waits = await Task.WhenAll(
            GcraScript.PeekAsync(redis.Database, RedisKeys.Global.FailedDataLinksFrom(clientAddress), limits.FailuresPerSecondPerClient, limits.FailureBurstPerClient),
            GcraScript.PeekAsync(redis.Database, RedisKeys.Endpoint.FailedDataLinks(endpointId), limits.FailuresPerSecondPerEndpoint, limits.FailureBurstPerEndpoint));
        return waits.Max();
    }

    /// <summary>Counts a link that did not verify, against its client and the endpoint it names.</summary>
    public Task CountFailureAsync(string clientAddress, string endpointId)
    {
        var limits = options.Value;
        return Task.WhenAll(
            GcraScript.RunAsync(redis.Database, RedisKeys.Global.FailedDataLinksFrom(clientAddress), limits.FailuresPerSecondPerClient, limits.FailureBurstPerClient),
            GcraScript.RunAsync(redis.Database, RedisKeys.Endpoint.FailedDataLinks(endpointId), limits.FailuresPerSecondPerEndpoint, limits.FailureBurstPerEndpoint));
    }

    /// <summary>Takes one of the endpoint's data fetches: zero when it may fetch now, else how long until it may.</summary>
    public Task<TimeSpan> TakeFetchAsync(string endpointId) =>
        GcraScript.RunAsync(redis.Database, RedisKeys.Endpoint.DataFetches(endpointId), options.Value.FetchesPerSecond, options.Value.FetchBurst);
}
