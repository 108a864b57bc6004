using System.ComponentModel.DataAnnotations;

namespace Webhooks.Dispatcher.Fairness;

/// <summary>
/// Section <c>Webhooks:Fairness</c>: how many deliveries a second (and in a burst) each tenant may
/// put into the fast lane; the rest of its deliveries queue in its bulk lane.
/// </summary>
public sealed class FairnessOptions
{
    public const string Section = "Webhooks:Fairness";

    /// <summary>Off, every delivery takes the fast lane: one FIFO queue for all tenants.</summary>
    public bool Enabled { get; set; } = true;

    [Range(0.001, 1_000_000)]
    public double TenantPerSecond { get; set; } = 100;

    /// <summary>Deliveries a quiet tenant may put into the fast lane at once; another tenant waits behind at most about this many of a flooding tenant's.</summary>
    [Range(1, 1_000_000)]
    public int TenantBurst { get; set; } = 500;
}
