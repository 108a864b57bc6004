using Webhooks.Core;
using Webhooks.Core.Endpoints;

namespace Webhooks.Dispatcher.FanOut;

/// <summary>
/// Each tenant's subscriptions (never secrets) as fan-out last read them, kept while the tenant's
/// endpoint version in Redis has not moved: one small read an event instead of reading every
/// endpoint again. Any change to an endpoint moves the version before it is
/// answered, so an event published after it sees it. A copy is also read anew after
/// <see cref="MaxAge"/> whatever the version says, which bounds how stale it can be when the
/// version cannot be trusted (a writer of a release without versions during a rolling upgrade, or
/// a counter that went back with a restored or truncated Redis). An event Ingest accepted says which version it read as it
/// listed the event: a copy at least that new serves it without a read at all.
/// </summary>
public sealed class TenantEndpoints(EndpointRegistry registry, TimeProvider clock)
{
    /// <summary>Tenants kept at most (the least recently published to go first), and how long a tenant without events is kept.</summary>
    private const int MaxTenants = 10_000;
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly RecentlyUsed<string, (long Version, DateTimeOffset ReadAt, IReadOnlyList<EndpointSubscription> Endpoints)> _copies = new(MaxTenants, Idle, clock);

    /// <summary>The tenant's subscriptions, as new as <paramref name="atLeast"/> (a version read when the event was accepted), else as now.</summary>
    public async Task<IReadOnlyList<EndpointSubscription>> ForTenantAsync(string tenant, long? atLeast = null)
    {
        var now = clock.GetUtcNow();
        if (atLeast is { } least && _copies.TryGetValue(tenant, out var known) && known.Version >= least && now - known.ReadAt < MaxAge)
        {
            return known.Endpoints;
        }
        var version = await registry.TenantVersionAsync(tenant);
        if (_copies.TryGetValue(tenant, out var copy) && copy.Version == version && now - copy.ReadAt < MaxAge)
        {
            return copy.Endpoints;
        }
        // Read after the version: a change in between moves the version again, and the next event reads anew.
        var endpoints = await registry.SubscriptionsAsync(tenant);
        _copies.Set(tenant, (version, now, endpoints));
        return endpoints;
    }
}
