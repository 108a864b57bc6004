using Microsoft.Extensions.Logging;
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
public sealed partial class TenantAllowance(RedisStorage redis, IOptions<FairnessOptions> options, ILogger<TenantAllowance> logger)
{
    /// <summary>A tenant over its allowance is logged at most this often per stage and process.</summary>
    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);

    private readonly RecentlyUsed<(FairnessStage Stage, string Tenant), long> _loggedAt = new(10_000, 2 * LogEvery);

    /// <summary>True when <paramref name="cost"/> more of <paramref name="tenant"/>'s work fits its fast-lane allowance at <paramref name="stage"/> now (it is then counted).</summary>
    public async Task<bool> TakeAsync(FairnessStage stage, string tenant, int cost)
    {
        var fairness = options.Value;
        if (!fairness.Enabled
            || await GcraScript.RunAsync(redis.Database, RedisKeys.Tenant.Allowance(KeyOf(stage), tenant), fairness.TenantPerSecond, fairness.TenantBurst, cost: cost) <= TimeSpan.Zero)
        {
            return true;
        }
        var now = Environment.TickCount64;
        var log = false;
        // Never logged yet reads as logged long ago; only the one caller that moves the time on logs.
        _loggedAt.AddOrUpdate((stage, tenant), _ => now - (long)LogEvery.TotalMilliseconds, (_, last) =>
        {
            if (now - last < LogEvery.TotalMilliseconds)
            {
                return last;
            }
            log = true;
            return now;
        });
        if (log)
        {
            LogOverAllowance(tenant, KeyOf(stage), fairness.TenantPerSecond, fairness.TenantBurst);
        }
        return false;
    }

    private static string KeyOf(FairnessStage stage) => stage == FairnessStage.Events ? "events" : "deliveries";

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant} is over its fast-lane allowance for {Stage} ({PerSecond}/s, bursts of {Burst}): the rest queues in its bulk lane (logged at most once a minute)")]
    private partial void LogOverAllowance(string tenant, string stage, double perSecond, int burst);
}
