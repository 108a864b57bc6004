using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.UnitTests;

public sealed class BrokerAddressTests
{
    [Fact]
    public void One_node_reads_as_a_plain_amqp_uri()
    {
        var broker = BrokerAddress.Parse("amqp://app:s%40cret@rabbit.internal:5673/orders");

        Assert.Equal(new BrokerNode("rabbit.internal", 5673), Assert.Single(broker.Nodes));
        Assert.Equal(("app", "s@cret", "orders", false), (broker.User, broker.Password, broker.VirtualHost, broker.Tls));
        Assert.Equal("amqp://app:s%40cret@rabbit.internal:5673/orders", broker.ConnectionString());
    }

    [Fact]
    public void A_cluster_lists_its_nodes_in_the_host_part_each_with_its_port_or_the_default()
    {
        var broker = BrokerAddress.Parse("amqps://app:pw@node-a,node-b:5681,[fd00::7]:5682/");

        Assert.Equal([new BrokerNode("node-a", 5671), new BrokerNode("node-b", 5681), new BrokerNode("fd00::7", 5682)], broker.Nodes);
        Assert.True(broker.Tls);
        Assert.Equal("/", broker.VirtualHost);
        Assert.Equal(broker.Nodes, BrokerAddress.Parse(broker.ConnectionString()).Nodes);
        Assert.Equal("amqps://app:***@node-a:5671,node-b:5681,[fd00::7]:5682/", broker.ToString());
    }

    [Fact]
    public void Without_credentials_guest_is_assumed_as_RabbitMQ_clients_do()
    {
        var broker = BrokerAddress.Parse("amqp://127.0.0.1");

        Assert.Equal(("guest", "guest", "/"), (broker.User, broker.Password, broker.VirtualHost));
        Assert.Equal(5672, broker.Nodes[0].Port);
    }

    [Theory]
    [InlineData("http://rabbit:5672/")]
    [InlineData("amqp://")]
    [InlineData("amqp://a:5672,,b:5672/")]
    [InlineData("amqp://rabbit:notaport/")]
    [InlineData("amqp://rabbit:70000/")]
    [InlineData("amqp://rabbit:5672/vhost/extra")]
    [InlineData("rabbit:5672")]
    public void Anything_else_is_refused_with_the_format_it_should_have(string connectionString)
    {
        var refused = Assert.Throws<FormatException>(() => BrokerAddress.Parse(connectionString));

        Assert.Contains("ConnectionStrings:RabbitMq", refused.Message);
    }
}
