using System.Net;
using System.Net.Sockets;

namespace Webhooks.Core.Destinations;

/// <summary>
/// One entry of the allow-list: a CIDR range, an address or a host name, then optionally
/// <c>ports=</c> (a list such as <c>8080,8443</c> or <c>*</c>; 80 and 443 when left out),
/// <c>tenants=</c> (the tenants it is open to; every tenant when left out) and <c>keep-bodies</c>
/// (keep the first bytes of answers from there in the attempt log, which is otherwise not done
/// for a private destination: an answer from inside the network is not the tenant's to read).
/// For example <c>10.1.0.0/16 ports=8443 tenants=acme</c> or <c>127.0.0.0/8 ports=* keep-bodies</c>.
/// </summary>
public sealed record AllowEntry(IPNetwork? Network, string? Host, IReadOnlySet<int>? Ports, IReadOnlySet<string>? Tenants, bool KeepBodies)
{
    private static readonly IReadOnlySet<int> WebPorts = new HashSet<int> { 80, 443 };

    /// <summary>The entry, or null (and why in <paramref name="error"/>) when it is not one.</summary>
    public static AllowEntry? Parse(string text, out string? error)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        error = null;
        if (parts.Length == 0)
        {
            error = "it is empty";
            return null;
        }
        IPNetwork? network = IPNetwork.TryParse(parts[0], out var range) ? range
            : IPAddress.TryParse(parts[0], out var single) ? new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : null;
        if (network is null && Uri.CheckHostName(parts[0]) != UriHostNameType.Dns)
        {
            error = $"'{parts[0]}' is neither a CIDR range, an IP address nor a host name";
            return null;
        }
        IReadOnlySet<int>? ports = WebPorts;
        IReadOnlySet<string>? tenants = null;
        var keepBodies = false;
        foreach (var option in parts.Skip(1))
        {
            if (option == "keep-bodies")
            {
                keepBodies = true;
            }
            else if (option.StartsWith("ports=", StringComparison.Ordinal))
            {
                var list = option["ports=".Length..];
                var parsed = list.Split(',').Select(p => int.TryParse(p, out var port) && port is > 0 and < 65536 ? port : 0).ToHashSet();
                if (list != "*" && (parsed.Contains(0) || parsed.Count == 0))
                {
                    error = $"'{option}' is not ports=* or a list of ports (1–65535)";
                    return null;
                }
                ports = list == "*" ? null : parsed;
            }
            else if (option.StartsWith("tenants=", StringComparison.Ordinal) && option.Length > "tenants=".Length)
            {
                tenants = option["tenants=".Length..].Split(',').ToHashSet(StringComparer.Ordinal);
            }
            else
            {
                error = $"'{option}' is not ports=…, tenants=… or keep-bodies";
                return null;
            }
        }
        return new AllowEntry(network, network is null ? parts[0].TrimEnd('.') : null, ports, tenants, keepBodies);
    }

    /// <summary>True when the entry opens this port to this tenant (null: a pool shared by every tenant, which an entry naming tenants never opens).</summary>
    public bool Opens(int port, string? tenant) =>
        (Ports is null || Ports.Contains(port)) && (Tenants is null || (tenant is not null && Tenants.Contains(tenant)));
}
