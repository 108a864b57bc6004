using Microsoft.Extensions.Diagnostics.HealthChecks;
using Webhooks.Core.Storage;

namespace Webhooks.ServiceDefaults;

internal sealed class RedisHealthCheck(RedisStorage redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.Database.PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable.", e);
        }
    }
}
