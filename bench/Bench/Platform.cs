using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Hosting;

namespace Webhooks.Bench;

/// <summary>
/// The platform as deployed, in this process: one Ingest and one Dispatcher host on 127.0.0.1,
/// against the given RabbitMQ and Redis, every key under a prefix of this run (started as the
/// integration tests start them: <see cref="PlatformHosts"/>).
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    private readonly PlatformHosts _hosts;
    private WebApplication? _ingest;
    private WebApplication? _dispatcher;

    private Platform(Uri rabbitMq, string redis)
    {
        RabbitMq = rabbitMq;
        _hosts = new PlatformHosts(rabbitMq.ToString(), redis, $"bench-{DateTime.UtcNow:yyyyMMddHHmmss}:", new Dictionary<string, string?>
        {
            // The bench polls /readyz while the bus starts.
            ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
        }, environment: "Production");
    }

    public string AdminKey => _hosts.AdminKey;

    public Uri RabbitMq { get; }

    public HttpClient Ingest { get; private set; } = null!;

    public static async Task<Platform> StartAsync(Uri rabbitMq, string redis)
    {
        var platform = new Platform(rabbitMq, redis);
        await platform.RestartAsync();
        return platform;
    }

    /// <summary>Replaces both hosts by ones with these settings changed (for example fairness off).</summary>
    public async Task RestartAsync(IDictionary<string, string?>? overrides = null)
    {
        await StopAsync();
        _ingest = await _hosts.StartIngestAsync(overrides);
        Ingest = new HttpClient { BaseAddress = new Uri(_ingest.Urls.Single()) };
        Ingest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        _dispatcher = await _hosts.StartDispatcherAsync(overrides);
    }

    public async Task CreateEndpointAsync(string tenant, string url, object? limits = null, HttpClient? via = null)
    {
        var body = JsonSerializer.SerializeToNode(new { tenant, url, eventTypes = new[] { "*" } })!.AsObject();
        if (limits is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(limits, JsonSerializerOptions.Web)!.AsObject())
            {
                body[key] = value?.DeepClone();
            }
        }
        (await (via ?? Ingest).PostAsJsonAsync("/v1/endpoints", body)).EnsureSuccessStatusCode();
    }

    /// <summary>Stops the hosts in this process and starts Ingest and <paramref name="dispatchers"/> Dispatchers as processes of their own instead.</summary>
    public async Task<PlatformProcesses> StartProcessesAsync(int dispatchers)
    {
        await StopAsync();
        return await PlatformProcesses.StartAsync(_hosts, dispatchers);
    }

    /// <summary>Redis operations the hosts have sent so far (a script is one; each command of a transaction counts).</summary>
    public long RedisOperations =>
        new[] { _ingest, _dispatcher }.Sum(app => app?.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().OperationCount ?? 0);

    /// <summary>Creates <paramref name="count"/> endpoints of <paramref name="tenant"/> for every event type, all at <paramref name="url"/>.</summary>
    public async Task CreateEndpointsAsync(string tenant, string url, int count, object? limits = null, HttpClient? via = null)
    {
        for (var i = 0; i < count; i++)
        {
            await CreateEndpointAsync(tenant, url, limits, via);
        }
    }

    /// <summary>Publishes <paramref name="count"/> single events over HTTP, <paramref name="connections"/> requests at a time.</summary>
    public async Task PublishConcurrentlyAsync(string tenant, int count, int connections, HttpClient? via = null, string type = EventType)
    {
        using var load = HttpLoad.For(via ?? Ingest, connections);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = connections },
            async (i, cancellationToken) => await load.PostSuccessfullyAsync("/v1/events", EventJson(tenant, i, type), cancellationToken));
    }

    /// <summary>
    /// Publishes <paramref name="count"/> events straight onto the bus as an upstream service would (<c>Webhooks.Contracts</c>
    /// on a MassTransit bus of its own, with MassTransit's defaults), <paramref name="concurrency"/> at a time.
    /// </summary>
    public async Task PublishOnBusAsync(string tenant, int count, int concurrency)
    {
        var (user, password) = (RabbitMq.UserInfo.Split(':')[0], RabbitMq.UserInfo.Split(':')[1]);
        var upstream = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(RabbitMq.Host, (ushort)RabbitMq.Port, RabbitMq.AbsolutePath.Trim('/') is { Length: > 0 } vhost ? Uri.UnescapeDataString(vhost) : "/", h =>
        {
            h.Username(Uri.UnescapeDataString(user));
            h.Password(Uri.UnescapeDataString(password));
        }));
        await upstream.StartAsync();
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, cancellationToken) =>
                await upstream.Publish(new EventPublished
                {
                    EventId = SortableId.New("evt"),
                    Type = EventType,
                    Tenant = tenant,
                    OccurredAt = DateTimeOffset.UtcNow,
                    Data = JsonSerializer.SerializeToElement(Data(i)),
                }, cancellationToken));
        }
        finally
        {
            await upstream.StopAsync();
        }
    }

    public async Task<string> PublishAsync(string tenant, int sequence, HttpClient? via = null, string type = EventType)
    {
        var response = await (via ?? Ingest).PostAsJsonAsync("/v1/events", Event(tenant, sequence, type));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Publishes events in batches of 100 (the most a batch takes).</summary>
    public async Task<List<string>> PublishBatchesAsync(string tenant, int count, HttpClient? via = null)
    {
        var ids = new List<string>(count);
        for (var start = 0; start < count; start += 100)
        {
            var events = Enumerable.Range(start, Math.Min(100, count - start)).Select(i => Event(tenant, i));
            var response = await (via ?? Ingest).PostAsJsonAsync("/v1/events/batch", new { events });
            response.EnsureSuccessStatusCode();
            ids.AddRange((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ids").EnumerateArray().Select(i => i.GetString()!));
        }
        return ids;
    }

    /// <summary>The type of the bench's events (not in the event-type catalog: nothing is checked).</summary>
    public const string EventType = "order.created";

    public static object Event(string tenant, int sequence, string type = EventType) => new { type, tenant, data = Data(sequence) };

    /// <summary><see cref="Event"/> as the JSON POSTed.</summary>
    public static string EventJson(string tenant, int sequence, string type = EventType) => JsonSerializer.Serialize(Event(tenant, sequence, type));

    /// <summary>A typical small event's data: an order of a few fields.</summary>
    public static object Data(int sequence) =>
        new { orderId = $"ord_{sequence:D8}", amount = 1999 + sequence % 100, currency = "EUR", customer = new { id = $"cus_{sequence % 977:D5}", country = "NL" } };

    private async Task StopAsync()
    {
        foreach (var app in new[] { _dispatcher, _ingest })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        (_dispatcher, _ingest) = (null, null);
        Ingest?.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
