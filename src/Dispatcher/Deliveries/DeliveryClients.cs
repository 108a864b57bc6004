using Microsoft.Extensions.Options;
using Webhooks.Core.Destinations;

namespace Webhooks.Dispatcher.Deliveries;

/// <summary>
/// The HTTP clients deliveries go out on: one pooled client for every tenant, and one of its own
/// for each tenant an allow-list entry names, so that a connection opened under that tenant's entry
/// never carries another tenant's request. No proxy, no redirects, a short connect timeout.
/// </summary>
public sealed class DeliveryClients : IDisposable
{
    public sealed record Client(HttpClient Http, GuardedConnector Connector);

    private readonly Client _shared;
    private readonly Dictionary<string, Client> _own;

    public DeliveryClients(DestinationGuard guard, IDestinationResolver resolver, IOptions<DispatcherOptions> options)
    {
        Client Create(string? tenant)
        {
            var connector = new GuardedConnector(guard, resolver, tenant);
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectTimeout = options.Value.ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                MaxResponseHeadersLength = 64,
                // Past what we read ourselves, an unread body closes the connection instead of being drained.
                MaxResponseDrainSize = 0,
                ConnectCallback = connector.ConnectAsync,
                ActivityHeadersPropagator = new TraceParentOnly(),
                // Where a rate-limited request's first byte is held to its turn (after TLS: the request, not the handshake).
                PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(new RateLimiting.GatedStream(context.PlaintextStream)),
            };
            return new Client(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, connector);
        }
        _shared = Create(null);
        _own = guard.NamedTenants.ToDictionary(t => t, Create, StringComparer.Ordinal);
    }

    public Client For(string tenant) => _own.GetValueOrDefault(tenant) ?? _shared;

    public void Dispose()
    {
        foreach (var client in _own.Values.Append(_shared))
        {
            client.Http.Dispose();
        }
    }
}
