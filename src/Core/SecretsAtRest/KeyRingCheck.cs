using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Webhooks.Core.Endpoints;

namespace Webhooks.Core.SecretsAtRest;

/// <summary>
/// At a dispatcher's start-up (Ingest's <c>SecretReEncryption</c> says it in the same walk), says which keys endpoints' secrets are encrypted with that this process's key ring
/// lacks (a rotation done in the wrong order, a key dropped too soon): their deliveries would be
/// dead-lettered with reason <c>secret_unreadable</c> until the key is back.
/// </summary>
public sealed partial class KeyRingCheck(EndpointKeyRing keyRing, ILogger<KeyRingCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var delay = TimeSpan.FromSeconds(1); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60)))
        {
            try
            {
                var missing = await keyRing.MissingKeysAsync();
                if (missing.Count > 0)
                {
                    LogMissing(Describe(missing));
                }
                return;
            }
            catch (RedisException)
            {
                await Task.Delay(delay, stoppingToken);
            }
        }
    }

    /// <summary>Missing key ids with how many endpoints each, for a log line.</summary>
    public static string Describe(IReadOnlyDictionary<string, int> missing) =>
        string.Join(", ", missing.Select(m => $"'{m.Key}' ({m.Value} endpoints)"));

    [LoggerMessage(Level = LogLevel.Error, Message = "Endpoint secrets are encrypted with keys missing from Webhooks:Secrets:Keys: {Missing}. Their deliveries are dead-lettered (secret_unreadable) until the key is back; add it to the key ring of every host")]
    private partial void LogMissing(string missing);
}
