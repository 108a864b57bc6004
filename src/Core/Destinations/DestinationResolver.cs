using System.Net;

namespace Webhooks.Core.Destinations;

/// <summary>Resolves a destination's host name at connect time; a seam for tests of DNS rebinding.</summary>
public interface IDestinationResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
