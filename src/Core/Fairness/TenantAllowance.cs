using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Fairness;

/// <summary>
/// Each tenant's fast-lane allowance: a GCRA cell in Redis per tenant and stage (events at Ingest,
/// deliveries at fan-out), shared by every process. Within it, work takes the fast lane; beyond
/// it, the tenant's bulk lane. Every lane is consumed side by side, so a tenant that floods the
/// platform builds its backlog in its own lane while the others keep moving, and a bulk lane
/// without competition is as fast as the fast lane. A tenant found over its allowance is known to be
/// over until its cell would free again (a cell's time only moves on): until then each process says
/// so without asking Redis, so a flooding tenant costs Redis one operation per process and turn, not one per event.
/// </summary>
public sealed partial class TenantAllowance(RedisStorage redis, IOptions<FairnessOptions> options, ILogger<TenantAllowance> logger)
{
    /// <summary>A tenant over its allowance is logged at most this often per stage and process.</summary>
    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);

    private readonly RecentlyUsed<(FairnessStage Stage, string Tenant), long> _loggedAt = new(10_000, 2 * LogEvery);

    /// <summary>Until when (ms of <see cref="Environment.TickCount64"/>) a tenant's allowance at a stage has not even one unit free, as Redis last said.</summary>
    private readonly RecentlyUsed<(FairnessStage Stage, string Tenant), long> _overUntil = new(10_000, TimeSpan.FromMinutes(1));

    /// <summary>True when <paramref name="cost"/> more of <paramref name="tenant"/>'s work fits its fast-lane allowance at <paramref name="stage"/> now (it is then counted).</summary>
    public async Task<bool> TakeAsync(FairnessStage stage, string tenant, int cost)
    {
        var fairness = options.Value;
        if (!fairness.Enabled)
        {
            return true;
        }
        // A unit of the allowance every this many ms: `cost` units are free that much later than one.
        var unitMs = 1000 / Math.Clamp(fairness.TenantPerSecond, GcraScript.MinPerSecond, 1_000_000);
        var now = Environment.TickCount64;
        if (!(_overUntil.TryGetValue((stage, tenant), out var overUntil) && now < overUntil + (cost - 1) * unitMs))
        {
            var wait = await GcraScript.RunAsync(redis.Database, RedisKeys.Tenant.Allowance(KeyOf(stage), tenant), fairness.TenantPerSecond, fairness.TenantBurst, cost: cost);
            if (wait <= TimeSpan.Zero)
            {
                return true;
            }
            // Not one unit is free before then (less a millisecond: Redis's clock and ours need not tick together).
            now = Environment.TickCount64;
            _overUntil.Set((stage, tenant), now + (long)Math.Floor(wait.TotalMilliseconds - (cost - 1) * unitMs) - 1);
        }
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
