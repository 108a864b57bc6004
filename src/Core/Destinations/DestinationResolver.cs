using System.Net;

namespace Webhooks.Core.Destinations;

/// <summary>Resolves a destination's host name at connect time; a seam for tests of DNS rebinding.</summary>
public interface IDestinationResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system's resolver: what runs outside tests.</summary>
public sealed class DnsDestinationResolver : IDestinationResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
