using System.ComponentModel.DataAnnotations;

namespace Webhooks.Core.Fairness;

/// <summary>
/// Section <c>Webhooks:Fairness</c>: how many events (at Ingest) and deliveries (at fan-out) a
/// second, and in a burst, each tenant may put into the fast lanes; the rest of its events and
/// deliveries queue in its bulk lanes. Set the same on both hosts.
/// </summary>
public sealed class FairnessOptions
{
    public const string Section = "Webhooks:Fairness";

    /// <summary>Off, every event and delivery takes the fast lane: one FIFO queue each for all tenants.</summary>
    public bool Enabled { get; set; } = true;

    [Range(0.001, 1_000_000)]
    public double TenantPerSecond { get; set; } = 100;

    /// <summary>Events or deliveries a quiet tenant may put into a fast lane at once; another tenant waits behind at most about this many of a flooding tenant's.</summary>
    [Range(1, 1_000_000)]
    public int TenantBurst { get; set; } = 200;
}
