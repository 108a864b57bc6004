namespace Webhooks.Core.Topology;

/// <summary>What <see cref="TopologyDeclaration"/> declares, and on which broker (<c>ConnectionStrings:RabbitMq</c>).</summary>
public sealed class TopologyOptions
{
    public BrokerAddress Broker { get; set; } = BrokerAddress.Parse("amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>The delay tiers to declare (the Dispatcher's retry ladder); Ingest declares none.</summary>
    public List<TimeSpan> DelayTiers { get; } = [];

    /// <summary>The wait of the fan-out retry queue to declare (the Dispatcher's); Ingest declares none.</summary>
    public TimeSpan? FanOutDeferral { get; set; }
}
