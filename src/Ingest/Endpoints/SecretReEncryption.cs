using Webhooks.Core.Endpoints;
using Webhooks.Core.SecretsAtRest;

namespace Webhooks.Ingest.Endpoints;

/// <summary>
/// Finishes a rotation of the secrets-encryption key: at start-up, every endpoint whose secrets
/// are encrypted with an older key is encrypted again with the current one; the same walk names the
/// keys that secrets need and the key ring lacks (the Dispatcher's <see cref="Core.SecretsAtRest.KeyRingCheck"/>
/// says the same there).
/// </summary>
public sealed partial class SecretReEncryption(EndpointKeyRing keyRing, ILogger<SecretReEncryption> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var delay = TimeSpan.FromSeconds(1); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60)))
        {
            try
            {
                var (count, missingKeys) = await keyRing.ReencryptAsync();
                if (count > 0)
                {
                    LogReencrypted(count);
                }
                if (missingKeys.Count > 0)
                {
                    LogMissingKeys(KeyRingCheck.Describe(missingKeys));
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Endpoint secrets are encrypted with keys missing from Webhooks:Secrets:Keys: {Missing}; they are left as they are: add the key back")]
    private partial void LogMissingKeys(string missing);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-encrypted the secrets of {Count} endpoints with the current key")]
    private partial void LogReencrypted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-encrypting endpoint secrets postponed (Redis unavailable); trying again in {DelaySeconds} s")]
    private partial void LogPostponed(Exception exception, double delaySeconds);
}
