using System.Text.RegularExpressions;
using RabbitMQ.Client;

namespace Webhooks.ServiceDefaults;

/// <summary>
/// Where the broker is, from <c>ConnectionStrings:RabbitMq</c>: an AMQP URI whose host part may
/// list the nodes of a cluster, <c>amqp[s]://user:password@host[:port][,host[:port]…]/vhost</c>.
/// A client connects to the first node that answers and, when it goes, to another.
/// </summary>
public sealed partial record BrokerAddress(bool Tls, string User, string Password, string VirtualHost, IReadOnlyList<BrokerNode> Nodes)
{
    public const string Format = "amqp[s]://user:password@host[:port][,host[:port]…]/vhost";

    public static BrokerAddress Parse(string connectionString)
    {
        var match = Pattern().Match(connectionString.Trim());
        if (!match.Success)
        {
            throw new FormatException($"ConnectionStrings:RabbitMq must look like {Format}, not '{connectionString}'.");
        }
        var tls = match.Groups["scheme"].Value == "amqps";
        var nodes = match.Groups["nodes"].Value.Split(',').Select(node => BrokerNode.Parse(node, tls ? 5671 : 5672, connectionString)).ToList();
        var vhost = Uri.UnescapeDataString(match.Groups["vhost"].Value);
        return new BrokerAddress(
            tls,
            match.Groups["user"].Success ? Uri.UnescapeDataString(match.Groups["user"].Value) : "guest",
            match.Groups["password"].Success ? Uri.UnescapeDataString(match.Groups["password"].Value) : match.Groups["user"].Success ? "" : "guest",
            vhost.Length == 0 ? "/" : vhost,
            nodes);
    }

    /// <summary>A RabbitMQ.Client connection to the first node that answers, named <paramref name="clientName"/> in the broker's UI.</summary>
    public Task<IConnection> ConnectAsync(string clientName, CancellationToken cancellationToken) =>
        new ConnectionFactory { UserName = User, Password = Password, VirtualHost = VirtualHost, ClientProvidedName = clientName }
            .CreateConnectionAsync([.. Nodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port, new SslOption(n.Host, enabled: Tls)))], cancellationToken);

    /// <summary>The same nodes and credentials on another virtual host.</summary>
    public BrokerAddress On(string virtualHost) => this with { VirtualHost = virtualHost };

    /// <summary>The connection string again, password included.</summary>
    public string ConnectionString() => Written(Uri.EscapeDataString(Password));

    /// <summary>The connection string without its password, fit for a log.</summary>
    public override string ToString() => Written("***");

    private string Written(string password) =>
        $"{(Tls ? "amqps" : "amqp")}://{Uri.EscapeDataString(User)}:{password}@{string.Join(',', Nodes)}/{(VirtualHost == "/" ? "" : Uri.EscapeDataString(VirtualHost))}";

    [GeneratedRegex(@"^(?<scheme>amqps?)://(?:(?<user>[^:@/]*)(?::(?<password>[^@/]*))?@)?(?<nodes>[^/?#@]+)/?(?<vhost>[^/?#]*)\z")]
    private static partial Regex Pattern();
}

/// <summary>One node of the broker: a host name or address (an IPv6 address in brackets) and its AMQP port.</summary>
public sealed record BrokerNode(string Host, int Port)
{
    internal static BrokerNode Parse(string node, int defaultPort, string connectionString)
    {
        var (host, port) = node.StartsWith('[') && node.IndexOf(']') is var close and > 0
            ? (node[1..close], node[(close + 1)..].TrimStart(':'))
            : node.LastIndexOf(':') is var colon and >= 0 ? (node[..colon], node[(colon + 1)..]) : (node, "");
        if (host.Length == 0 || (port.Length > 0 && !(int.TryParse(port, out var p) && p is > 0 and < 65536)))
        {
            throw new FormatException($"ConnectionStrings:RabbitMq has a node '{node}' that is not host[:port] (in '{connectionString}').");
        }
        return new BrokerNode(host, port.Length > 0 ? int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) : defaultPort);
    }

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
