using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using StackExchange.Redis;
using StackExchange.Redis.KeyspaceIsolation;
using Webhooks.Hosting;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Events;
using Webhooks.Messaging;

namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary>
/// The platform under test: a real Ingest on 127.0.0.1, against the real RabbitMQ (a virtual host of its own)
/// and Redis (a key prefix of its own); a test starts the dispatchers it needs (<see cref="StartDispatcherAsync"/>),
/// or takes <see cref="WebhooksSystemWithDispatcher"/>, which starts one.
/// </summary>
public class WebhooksSystem : IAsyncLifetime
{
    private readonly string _name = "test-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<WebApplication> _apps = [];
    private IConnectionMultiplexer? _redis;
    private PlatformHosts _hosts = null!;

    public TestServers Servers { get; private set; } = null!;
    public Uri RabbitMq { get; private set; } = null!;
    public string KeyPrefix => _name + ":";
    public string VirtualHost => _name;
    public HttpClient Ingest { get; private set; } = null!;

    /// <summary>The admin key configured for this system: every client of <see cref="StartIngestAsync"/> sends it.</summary>
    public string AdminKey => _hosts.AdminKey;

    /// <summary>The key that encrypts endpoint secrets at rest.</summary>
    public string SecretsKey => _hosts.SecretsKey;

    /// <summary>Whether a dispatcher starts with the fixture.</summary>
    protected virtual bool StartsDispatcher => false;

    /// <summary>Changes the services of the dispatcher the fixture starts.</summary>
    protected virtual void ConfigureDispatcher(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        Servers = await TestServers.GetAsync();
        RabbitMq = await Servers.CreateVirtualHostAsync(_name);
        _hosts = new PlatformHosts(Servers.ConnectionString(RabbitMq), Servers.Redis, KeyPrefix, new Dictionary<string, string?>
        {
            // The retry schedule and delay ladder compressed to milliseconds, through the same code path.
            ["Webhooks:Retries:Schedule:0"] = "00:00:00.200",
            ["Webhooks:Retries:Schedule:1"] = "00:00:00.400",
            ["Webhooks:Retries:Schedule:2"] = "00:00:00.800",
            ["Webhooks:DelayTiers:Shortest"] = "00:00:00.050",
            ["Webhooks:DelayTiers:Count"] = "8",
        });
        _redis = await ConnectionMultiplexer.ConnectAsync(Servers.Redis);
        Ingest = await StartIngestAsync();
        // Thin deliveries link to this fixture's Ingest.
        _hosts.Set("Webhooks:DataLinks:BaseUrl", Ingest.BaseAddress!.ToString());
        // Without a dispatcher, the Ingest declares the queues: a test that looks at one must not race it.
        await _apps[^1].Services.GetRequiredService<TopologyDeclaration>().Declared.WaitAsync(TimeSpan.FromSeconds(120));
        if (StartsDispatcher)
        {
            await StartDispatcherAsync(services: ConfigureDispatcher);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps.AsEnumerable().Reverse())
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await Servers.DeleteVirtualHostAsync(_name);
        if (_redis is not null)
        {
            // Key by key, on every primary: in a Redis Cluster the keys live on several nodes, in several slots.
            var keys = Primaries().SelectMany(server => server.Keys(pattern: KeyPrefix + "*")).ToList();
            await Task.WhenAll(keys.Select(key => _redis.GetDatabase().KeyDeleteAsync(key)));
            await _redis.DisposeAsync();
        }
    }

    /// <summary>A store or service as the system's first Ingest has it (on this system's Redis prefix and broker).</summary>
    public T Service<T>() where T : notnull => _apps[0].Services.GetRequiredService<T>();

    /// <summary>An Ingest host; <paramref name="overrides"/> change its settings.</summary>
    public async Task<HttpClient> StartIngestAsync(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var app = await _hosts.StartIngestAsync(overrides, services);
        _apps.Add(app);
        return Client(app.Urls.Single(), AdminKey);
    }

    /// <summary>A client of an Ingest that sends <paramref name="apiKey"/>.</summary>
    public static HttpClient Client(string baseAddress, string? apiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseAddress) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }
        return client;
    }

    /// <summary>A Dispatcher host; stop it with <see cref="StopAsync"/> to simulate a dispatcher going away.</summary>
    public async Task<WebApplication> StartDispatcherAsync(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var app = await _hosts.StartDispatcherAsync(overrides, services);
        _apps.Add(app);
        return app;
    }

    public async Task StopAsync(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
        _apps.Remove(app);
    }

    /// <summary>The hosts running now; <see cref="StopHostsStartedSinceAsync"/> stops those started after.</summary>
    public IReadOnlySet<WebApplication> RunningHosts() => _apps.ToHashSet();

    /// <summary>
    /// Stops every host started since <paramref name="running"/> was taken and still running: a test that fails midway
    /// would otherwise leave its dispatcher consuming the next test's messages.
    /// </summary>
    public async Task StopHostsStartedSinceAsync(IReadOnlySet<WebApplication> running)
    {
        foreach (var app in _apps.Where(app => !running.Contains(app)).Reverse().ToList())
        {
            await StopAsync(app);
        }
    }

    /// <summary>The Dispatcher as a process of its own, for tests that kill it.</summary>
    public System.Diagnostics.Process StartDispatcherProcess(IDictionary<string, string?>? overrides = null) => _hosts.StartProcess("Dispatcher", overrides);

    /// <summary>Registers an endpoint through the API and returns its id and signing secret.</summary>
    public async Task<(string Id, string Secret)> CreateEndpointAsync(string tenant, string url, string[] eventTypes, object? extra = null)
    {
        var body = JsonSerializer.SerializeToElement(new { tenant, url, eventTypes });
        var request = extra is null ? (object)body : Merge(body, JsonSerializer.SerializeToElement(extra, JsonSerializerOptions.Web));
        var response = await Ingest.PostAsJsonAsync("/v1/endpoints", request);
        response.EnsureSuccessStatusCode();
        var created = (await response.Content.ReadFromJsonAsync<EndpointView>())!;
        return (created.Id, created.Secret!);
    }

    /// <summary>Publishes an event through the API and returns its id.</summary>
    public async Task<string> PublishAsync(string tenant, string type, object? data = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = JsonContent.Create(new { type, tenant, data = data ?? new { at = DateTimeOffset.UtcNow } }) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        var response = await Ingest.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EventAccepted>())!.Id;
    }

    /// <summary>An event as the API shows it: its deliveries and their latest attempts.</summary>
    public async Task<EventView> GetEventAsync(string id) => (await Ingest.GetFromJsonAsync<EventView>($"/v1/events/{id}"))!;

    /// <summary>How many messages wait in a queue, counted by the broker itself.</summary>
    public async Task<uint> QueueDepthAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = RabbitMq }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>Dead letters as the API lists them, newest first (<paramref name="query"/> filters them).</summary>
    public async Task<List<DeadLetterView>> DeadLettersAsync(string query = "") =>
        [.. (await Ingest.GetFromJsonAsync<DeadLetterList>($"/v1/dead-letters?{query}"))!.Data];

    /// <summary>This fixture's Redis under its <see cref="KeyPrefix"/>, keys named as <c>RedisKeys</c> names them (to look at stored records, or tamper with them as a fault would).</summary>
    public IDatabase Redis => _redis!.GetDatabase().WithKeyPrefix(KeyPrefix);

    /// <summary>How many keys this fixture has in Redis that match <paramref name="pattern"/> (a key's name with <c>*</c> for its id: <c>RedisKeys.Event.Record("*")</c>).</summary>
    public int CountKeys(string pattern) => Primaries().Sum(server => server.Keys(pattern: KeyPrefix + pattern).Count());

    /// <summary>The Redis server, or each primary of a Redis Cluster.</summary>
    public IEnumerable<IServer> Primaries() => _redis!.GetServers().Where(server => !server.IsReplica);

    private static JsonElement Merge(JsonElement a, JsonElement b)
    {
        var merged = new Dictionary<string, JsonElement>();
        foreach (var p in a.EnumerateObject().Concat(b.EnumerateObject()))
        {
            merged[p.Name] = p.Value;
        }
        return JsonSerializer.SerializeToElement(merged);
    }
}

/// <summary>A system with one dispatcher running from the start.</summary>
public class WebhooksSystemWithDispatcher : WebhooksSystem
{
    protected override bool StartsDispatcher => true;
}
