using System.Text;
using Webhooks.Core.Fairness;

namespace Webhooks.Messaging;

/// <summary>
/// The lanes of each <see cref="FairnessStage"/> and the choice between them. A stage has a fast
/// lane and <see cref="BulkLanes"/> bulk lanes: within its allowance (<see cref="TenantAllowance"/>)
/// a tenant's work takes the fast lane; beyond it, the bulk lane its name hashes to. Dispatchers
/// consume every lane side by side, so a tenant with a huge backlog does not stand in front of
/// everyone else, and a bulk lane without competition is as fast as the fast lane.
/// </summary>
public sealed class TenantLanes(TenantAllowance allowance)
{
    /// <summary>A fixed number: a lane removed while it holds messages would strand them.</summary>
    public const int BulkLanes = 4;

    private static readonly string[] EventLanes = Lanes("webhooks-fan-out");
    private static readonly string[] DeliveryLanes = Lanes("webhooks-delivery");

    /// <summary>The stage's lanes: the fast lane first (for events, the one bound to the <c>EventPublished</c> exchange), then the bulk lanes.</summary>
    public static IReadOnlyList<string> Of(FairnessStage stage) => stage == FairnessStage.Events ? EventLanes : DeliveryLanes;

    public static string FastLane(FairnessStage stage) => Of(stage)[0];

    /// <summary>The bulk lane of a tenant: the same in every process (FNV-1a of the name, not the per-process string hash).</summary>
    public static string BulkLaneOf(FairnessStage stage, string tenant)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(tenant))
        {
            hash = (hash ^ b) * 16777619u;
        }
        return Of(stage)[(int)(hash % BulkLanes) + 1];
    }

    /// <summary>The lane of <paramref name="stage"/> a message was received from, by its input address; the fast lane for anything else.</summary>
    public static string LaneOf(FairnessStage stage, Uri inputAddress) =>
        inputAddress.AbsolutePath.Split('/').Last() is var queue && Of(stage).Contains(queue) ? queue : FastLane(stage);

    /// <summary>
    /// The lane for <paramref name="cost"/> more of <paramref name="tenant"/>'s work at <paramref name="stage"/>:
    /// the fast lane while it fits the tenant's allowance (it is then counted), else its bulk lane.
    /// Throws what Redis throws; a caller without Redis decides for itself.
    /// </summary>
    public async Task<string> ChooseAsync(FairnessStage stage, string tenant, int cost) =>
        await allowance.TakeAsync(stage, tenant, cost) ? FastLane(stage) : BulkLaneOf(stage, tenant);

    private static string[] Lanes(string fastLane) => [fastLane, .. Enumerable.Range(1, BulkLanes).Select(i => $"{fastLane}-bulk-{i}")];
}
