namespace Webhooks.Core.Fairness;

/// <summary>The two stages that queue a tenant's work, each with its own lanes and allowance (Webhooks.Messaging.TenantLanes).</summary>
public enum FairnessStage
{
    /// <summary>Events waiting for fan-out (Ingest counts them, one an event).</summary>
    Events,

    /// <summary>Deliveries waiting for their attempt (fan-out counts them, one an endpoint).</summary>
    Deliveries,
}
