using System.Net;

namespace Webhooks.Core.Destinations;

/// <summary>A delivery's destination resolved only to addresses the guard refuses.</summary>
public sealed class BlockedDestinationException(string host, IReadOnlyList<IPAddress> addresses)
    : Exception($"{host} resolves only to refused addresses ({string.Join(", ", addresses)}).")
{
    public string Host { get; } = host;
}
