using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Webhooks.Core.Destinations;

/// <summary>
/// The SSRF guard: which addresses a webhook may be sent to. Everything that is not a public
/// unicast address is refused — loopback, private, link-local (cloud metadata), CGNAT, multicast,
/// unspecified, documentation and benchmarking ranges, IPv6 ULA and link-local — and so is every
/// IPv6 form that carries such an IPv4 address inside it (mapped, translated, compatible, NAT64
/// 64:ff9b::/96, 6to4), judged by that address, or may hide one (Teredo, local-use NAT64 64:ff9b:1::/48:
/// refused whole). The allow-list lets chosen ranges and host names through on purpose.
/// </summary>
public sealed class DestinationGuard
{
    private static readonly IPNetwork[] BlockedV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.88.99.0/24"), IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"),
        IPNetwork.Parse("203.0.113.0/24"), IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
    ];

    private static readonly IPNetwork[] BlockedV6 =
    [
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("64:ff9b:1::/48"), IPNetwork.Parse("100::/64"),
        IPNetwork.Parse("2001::/32"), IPNetwork.Parse("2001:2::/48"), IPNetwork.Parse("2001:10::/28"), IPNetwork.Parse("2001:20::/28"),
        IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("fec0::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");
    // IPv4-translated (RFC 2765, SIIT): ::ffff:0:a.b.c.d — not the mapped ::ffff:a.b.c.d, which .NET knows.
    private static readonly IPNetwork Translated = IPNetwork.Parse("::ffff:0:0:0/96");

    private readonly AllowEntry[] _entries;

    public DestinationGuard(IOptions<DestinationOptions> options)
    {
        _entries = [.. options.Value.Allow.Select(a => AllowEntry.Parse(a, out _)).OfType<AllowEntry>()];
        NamedTenants = _entries.SelectMany(e => e.Tenants ?? new HashSet<string>()).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The tenants some entry is open to by name: each has its own connections, so that no other tenant's request reuses one.</summary>
    public IReadOnlySet<string> NamedTenants { get; }

    /// <summary>The entry for a host name that opens this port to this tenant (whatever the name resolves to is accepted then), or null.</summary>
    public AllowEntry? HostEntry(string host, int port, string? tenant)
    {
        host = host.TrimEnd('.');
        return _entries.FirstOrDefault(e => e.Host is not null && e.Host.Equals(host, StringComparison.OrdinalIgnoreCase) && e.Opens(port, tenant));
    }

    /// <summary>The entry that lets a reserved address through for this port and tenant, or null (none does).</summary>
    public AllowEntry? AddressEntry(IPAddress address, int port, string? tenant)
    {
        var normalized = Normalize(address);
        return _entries.FirstOrDefault(e => e.Network is { } n && (n.Contains(normalized) || n.Contains(address)) && e.Opens(port, tenant));
    }

    /// <summary>True when a webhook of <paramref name="tenant"/> may be sent to this address and port.</summary>
    public bool IsAllowed(IPAddress address, int port, string? tenant) => !IsSpecialPurpose(address) || AddressEntry(address, port, tenant) is not null;

    /// <summary>Why an endpoint URL of <paramref name="tenant"/> is refused at registration (an IP literal or a local name it can already see is blocked), or null.</summary>
    public string? Refusal(Uri url, string tenant)
    {
        var host = url.IdnHost.Trim('[', ']');
        if (HostEntry(host, url.Port, tenant) is not null)
        {
            return null;
        }
        if (IPAddress.TryParse(host, out var address))
        {
            return IsAllowed(address, url.Port, tenant) ? null : $"The URL points at {address}:{url.Port}, a private, loopback, link-local or otherwise reserved address: webhooks are not sent there (allow it, with its port and tenants, in {DestinationOptions.Section}:Allow).";
        }
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            ? $"The URL points at {host}, this machine: webhooks are not sent there (allow it with {DestinationOptions.Section}:Allow)."
            : null;
    }

    /// <summary>Not a public unicast address (after unwrapping IPv4 carried in IPv6).</summary>
    public static bool IsSpecialPurpose(IPAddress address)
    {
        var normalized = Normalize(address);
        if (normalized.AddressFamily == AddressFamily.InterNetwork)
        {
            return BlockedV4.Any(n => n.Contains(normalized));
        }
        return BlockedV6.Any(n => n.Contains(normalized));
    }

    /// <summary>The IPv4 address an IPv6 address carries (mapped, translated, compatible, NAT64, 6to4), or the address itself.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address) || Translated.Contains(address) || (Compatible.Contains(address) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback)))
        {
            return new IPAddress(bytes[12..16]);
        }
        if (SixToFour.Contains(address))
        {
            return new IPAddress(bytes[2..6]);
        }
        return address;
    }

}
