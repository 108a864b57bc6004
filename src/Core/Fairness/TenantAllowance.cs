using Microsoft.Extensions.Options;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Fairness;

/// <summary>
/// Each tenant's fast-lane allowance: a GCRA cell in Redis per tenant and stage (events at Ingest,
/// deliveries at fan-out), shared by every process. Within it, work takes the fast lane; beyond
/// it, the tenant's bulk lane. Every lane is consumed side by side, so a tenant that floods the
/// platform builds its backlog in its own lane while the others keep moving, and a bulk lane
/// without competition is as fast as the fast lane.
/// </summary>
public sealed class TenantAllowance(RedisStorage redis, IOptions<FairnessOptions> options)
{
    /// <summary>True when <paramref name="cost"/> more of <paramref name="tenant"/>'s work fits its fast-lane allowance at <paramref name="stage"/> now (it is then counted).</summary>
    public async Task<bool> TakeAsync(string stage, string tenant, int cost)
    {
        var fairness = options.Value;
        return !fairness.Enabled
            || await GcraScript.RunAsync(redis.Database, $"allowance:{stage}:{tenant}", fairness.TenantPerSecond, fairness.TenantBurst, cost: cost) <= TimeSpan.Zero;
    }
}
