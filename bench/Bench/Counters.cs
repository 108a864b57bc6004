using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;

namespace Webhooks.Bench;

/// <summary>
/// What the servers did, read from the servers themselves: Redis commands (INFO commandstats,
/// every command including those inside scripts) and messages published to RabbitMQ (the
/// management API's overview), so a scenario can say what one webhook costs each of them.
/// </summary>
public sealed class Counters(IConnectionMultiplexer redis, Uri management) : IDisposable
{
    private readonly HttpClient _http = ManagementClient(management);

    public static async Task<Counters> ConnectAsync(string redis, Uri rabbitMq)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
        // The management plugin listens on the AMQP port + 10000 (scripts/lib/private-rabbitmq.sh).
        var management = new UriBuilder("http", rabbitMq.Host, rabbitMq.Port + 10000) { UserName = Uri.UnescapeDataString(rabbitMq.UserInfo.Split(':')[0]), Password = Uri.UnescapeDataString(rabbitMq.UserInfo.Split(':').ElementAtOrDefault(1) ?? "") }.Uri;
        return new Counters(multiplexer, management);
    }

    public async Task<Snapshot> ReadAsync()
    {
        var server = redis.GetServers().First();
        var stats = await server.InfoAsync("commandstats");
        long commands = 0;
        foreach (var pair in stats.SelectMany(g => g))
        {
            var calls = pair.Value.Split(',').FirstOrDefault(p => p.StartsWith("calls=", StringComparison.Ordinal));
            // EVALSHA, EVAL and MULTI/EXEC count once for the call; the commands they run count too.
            commands += calls is null ? 0 : long.Parse(calls["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
        long published = 0;
        // The overview's counters are sampled; wait for them to settle on a quiet broker.
        for (var i = 0; i < 3; i++)
        {
            using var overview = JsonDocument.Parse(await _http.GetStringAsync("api/overview"));
            var next = overview.RootElement.TryGetProperty("message_stats", out var messageStats) && messageStats.TryGetProperty("publish", out var publish) ? publish.GetInt64() : 0;
            if (next == published)
            {
                break;
            }
            published = next;
            await Task.Delay(TimeSpan.FromSeconds(5.5));
        }
        return new Snapshot(commands, published);
    }

    /// <summary>Drops what waits in <paramref name="queues"/> (of the default virtual host), unread.</summary>
    public async Task PurgeAsync(IEnumerable<string> queues)
    {
        foreach (var queue in queues)
        {
            using var response = await _http.DeleteAsync($"api/queues/%2F/{Uri.EscapeDataString(queue)}/contents");
            // A queue not declared yet holds nothing.
            if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
            {
                response.EnsureSuccessStatusCode();
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        redis.Dispose();
    }

    private static HttpClient ManagementClient(Uri management)
    {
        var http = new HttpClient { BaseAddress = new Uri($"{management.Scheme}://{management.Host}:{management.Port}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo))));
        return http;
    }

    public sealed record Snapshot(long RedisCommands, long BrokerPublishes)
    {
        public (double Redis, double Broker) PerWebhook(Snapshot after, int webhooks) =>
            ((after.RedisCommands - RedisCommands) / (double)webhooks, (after.BrokerPublishes - BrokerPublishes) / (double)webhooks);
    }
}
