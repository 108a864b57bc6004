using System.Net;
using System.Net.Sockets;

namespace Webhooks.Core.Destinations;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> that enforces the guard where it cannot
/// be bypassed: it resolves the host itself, drops every refused address, and connects to a
/// vetted one, so a name that resolves differently later (DNS rebinding) gains nothing. One
/// connector serves one connection pool: that of one tenant named by the allow-list, or the pool
/// shared by all the others (<paramref name="tenant"/> null), which no entry naming tenants opens.
/// </summary>
public sealed class GuardedConnector(DestinationGuard guard, IDestinationResolver resolver, string? tenant)
{
    // Host and port this pool reached through an allow-list entry (a private destination), and whether that entry keeps bodies.
    private readonly RecentlyUsed<(string Host, int Port), bool> _reachedPrivately = new(10_000, TimeSpan.FromHours(1));

    /// <summary>
    /// False when this pool's connections to the host and port went to a private destination that
    /// the allow-list lets through without <c>keep-bodies</c>: its answers are not kept.
    /// </summary>
    public bool KeepsBodiesFrom(string host, int port) => !_reachedPrivately.TryGetValue((host.Trim('[', ']'), port), out var keep) || keep;

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var port = context.DnsEndPoint.Port;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
        var hostEntry = guard.HostEntry(host, port, tenant);
        var vetted = hostEntry is not null ? addresses : [.. addresses.Where(a => guard.IsAllowed(a, port, tenant))];
        if (vetted.Length == 0)
        {
            throw new BlockedDestinationException(host, addresses);
        }
        SocketException? last = null;
        foreach (var address in vetted)
        {
            // A fixed receive buffer: a subscriber flooding us fills 64 KiB of kernel memory, not the autotuned 32 MiB.
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 64 * 1024 };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                if ((hostEntry ?? guard.AddressEntry(address, port, tenant)) is { } entry && (hostEntry is not null || DestinationGuard.IsSpecialPurpose(address)))
                {
                    _reachedPrivately.Set((host, port), entry.KeepBodies);
                }
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}
