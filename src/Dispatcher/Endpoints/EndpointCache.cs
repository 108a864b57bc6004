using Webhooks.Core;
using Webhooks.Core.Endpoints;
using Webhooks.Dispatcher.Degraded;

namespace Webhooks.Dispatcher.Endpoints;

/// <summary>
/// The endpoints this dispatcher has seen, with their decrypted secrets: read from Redis at most
/// every two seconds each, and served from here while Redis is away so deliveries continue.
/// Bounded: an endpoint not delivered to for <see cref="Idle"/> is forgotten, secret and all (a
/// deleted one too), and at most <see cref="Capacity"/> are held.
/// </summary>
public sealed class EndpointCache(EndpointRegistry registry, RedisCircuit circuit, TimeProvider clock)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);
    public const int Capacity = 10_000;
    public static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    private readonly RecentlyUsed<string, (WebhookEndpoint? Endpoint, DateTime ReadAt)> _entries = new(Capacity, Idle, clock);

    /// <summary>How many endpoints are held now.</summary>
    public int Count => _entries.Count;

    /// <summary>The endpoint (null when it no longer exists); Known is false when Redis is away and it was never seen.</summary>
    public async Task<(bool Known, WebhookEndpoint? Endpoint)> GetAsync(string id)
    {
        if (_entries.TryGetValue(id, out var entry) && DateTime.UtcNow - entry.ReadAt < Fresh)
        {
            return (true, entry.Endpoint);
        }
        var (ok, endpoint) = await circuit.TryAsync(() => registry.GetAsync(id));
        if (ok)
        {
            _entries.Set(id, (endpoint, DateTime.UtcNow));
            return (true, endpoint);
        }
        return _entries.TryGetValue(id, out entry) ? (true, entry.Endpoint) : (false, null);
    }

    /// <summary>Drops what this dispatcher itself just changed, so the next read sees it.</summary>
    public void Forget(string id) => _entries.TryRemove(id);
}
