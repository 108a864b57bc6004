using System.Net;
using System.Net.Sockets;

namespace Webhooks.Core.Destinations;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> that enforces the guard where it cannot
/// be bypassed: it resolves the host itself, drops every refused address, and connects to a
/// vetted one, so a name that resolves differently later (DNS rebinding) gains nothing.
/// </summary>
public sealed class GuardedConnector(DestinationGuard guard, IDestinationResolver resolver)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
        var vetted = guard.IsAllowListed(host) ? addresses : [.. addresses.Where(guard.IsAllowed)];
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
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
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
