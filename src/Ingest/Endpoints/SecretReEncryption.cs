using Webhooks.Core.Endpoints;

namespace Webhooks.Ingest.Endpoints;

/// <summary>
/// Finishes a rotation of the secrets-encryption key: at start-up, every endpoint whose secrets
/// are encrypted with an older key is encrypted again with the current one.
/// </summary>
public sealed partial class SecretReEncryption(EndpointRegistry registry, ILogger<SecretReEncryption> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var delay = TimeSpan.FromSeconds(1); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60)))
        {
            try
            {
                var (count, undecryptable) = await registry.ReencryptAsync();
                if (count > 0)
                {
                    LogReencrypted(count);
                }
                if (undecryptable.Count > 0)
                {
                    LogUndecryptable(undecryptable.Count, string.Join(", ", undecryptable.Take(10)));
                }
                return;
            }
            catch (StackExchange.Redis.RedisException e)
            {
                LogPostponed(e, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} endpoints are encrypted with a key missing from Webhooks:Secrets:Keys (for example {EndpointIds}): add that key back")]
    private partial void LogUndecryptable(int count, string endpointIds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-encrypted the secrets of {Count} endpoints with the current key")]
    private partial void LogReencrypted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-encrypting endpoint secrets postponed (Redis unavailable); trying again in {DelaySeconds} s")]
    private partial void LogPostponed(Exception exception, double delaySeconds);
}
