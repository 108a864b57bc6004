namespace Webhooks.Messaging;

/// <summary>What <see cref="TopologyDeclaration"/> declares besides the lanes and the dead-letter and poison queues.</summary>
public sealed class TopologyOptions
{
    /// <summary>The delay tiers to declare (the Dispatcher's retry ladder); Ingest declares none.</summary>
    public List<TimeSpan> DelayTiers { get; } = [];

    /// <summary>The wait of the fan-out and dead-letter retry queues to declare (the Dispatcher's); Ingest declares none.</summary>
    public TimeSpan? RedisAwayWait { get; set; }
}
