using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using DotNet.Testcontainers.Builders;
using Testcontainers.RabbitMq;
using Testcontainers.Redis;

namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary>
/// The real RabbitMQ and Redis the integration tests run against: from environment variables
/// (scripts/test.sh starts private servers and sets them), else from Testcontainers where a
/// Docker engine runs, else a failure that says how to start them.
/// </summary>
public sealed class TestServers
{
    public const string RabbitMqVariable = "WEBHOOKS_TEST_RABBITMQ";
    public const string ManagementVariable = "WEBHOOKS_TEST_RABBITMQ_MANAGEMENT";
    public const string RedisVariable = "WEBHOOKS_TEST_REDIS";
    public const string RestartVariable = "WEBHOOKS_TEST_RABBITMQ_RESTART";
    /// <summary>The other nodes of a RabbitMQ cluster (<c>host:port,host:port</c>), when <see cref="RabbitMqVariable"/> is one node of it.</summary>
    public const string NodesVariable = "WEBHOOKS_TEST_RABBITMQ_NODES";

    private static readonly Lazy<Task<TestServers>> Shared = new(StartAsync);

    /// <summary>amqp://user:password@host:port/ without a virtual host.</summary>
    public required Uri RabbitMq { get; init; }
    public required Uri Management { get; init; }
    public required string Redis { get; init; }

    /// <summary>The cluster's other nodes, <c>host:port</c>; empty for a single broker.</summary>
    public IReadOnlyList<string> OtherNodes { get; init; } = [];

    /// <summary>Restarts the broker on its own data; set when the servers come from scripts/test.sh or a container.</summary>
    private Func<Task>? Restart { get; init; }

    /// <summary>Freezes the Redis server, as SIGSTOP does, and returns what thaws it.</summary>
    private Func<Task<Func<Task>>>? FreezeRedis { get; init; }

    public static Task<TestServers> GetAsync() => Shared.Value;

    private static async Task<TestServers> StartAsync()
    {
        var rabbit = Environment.GetEnvironmentVariable(RabbitMqVariable);
        var management = Environment.GetEnvironmentVariable(ManagementVariable);
        var redis = Environment.GetEnvironmentVariable(RedisVariable);
        if (!string.IsNullOrEmpty(rabbit) && !string.IsNullOrEmpty(management) && !string.IsNullOrEmpty(redis))
        {
            var restart = Environment.GetEnvironmentVariable(RestartVariable);
            return new TestServers
            {
                RabbitMq = new Uri(rabbit),
                Management = new Uri(management),
                Redis = redis,
                OtherNodes = (Environment.GetEnvironmentVariable(NodesVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Restart = string.IsNullOrEmpty(restart) ? null : () => RunShellAsync(restart),
                FreezeRedis = async () =>
                {
                    // Every server of a Redis Cluster, or the one server.
                    await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
                    var pids = new List<string>();
                    foreach (var server in connection.GetServers())
                    {
                        pids.Add((await server.InfoAsync("server")).SelectMany(g => g).First(p => p.Key == "process_id").Value);
                    }
                    await RunShellAsync($"kill -STOP {string.Join(' ', pids)}");
                    return () => RunShellAsync($"kill -CONT {string.Join(' ', pids)}");
                },
            };
        }
        try
        {
            var rabbitContainer = new RabbitMqBuilder("rabbitmq:3.13-management").Build();
            var redisContainer = new RedisBuilder("redis:7.0").WithCommand("--appendonly", "yes", "--maxmemory-policy", "noeviction").Build();
            await Task.WhenAll(rabbitContainer.StartAsync(), redisContainer.StartAsync());
            var amqp = new Uri(rabbitContainer.GetConnectionString());
            return new TestServers
            {
                RabbitMq = amqp,
                Management = new Uri($"http://{amqp.UserInfo}@{rabbitContainer.Hostname}:{rabbitContainer.GetMappedPublicPort(15672)}/"),
                Redis = redisContainer.GetConnectionString(),
                Restart = async () =>
                {
                    await rabbitContainer.ExecAsync(["rabbitmqctl", "stop_app"]);
                    await rabbitContainer.ExecAsync(["rabbitmqctl", "start_app"]);
                },
                FreezeRedis = async () =>
                {
                    await redisContainer.PauseAsync();
                    return () => redisContainer.UnpauseAsync();
                },
            };
        }
        catch (DockerUnavailableException e)
        {
            throw new InvalidOperationException(
                $"The integration tests need a real RabbitMQ (with management) and Redis. Run them with ./scripts/test.sh, which starts private servers, " +
                $"or set {RabbitMqVariable}, {ManagementVariable} and {RedisVariable}, or start a Docker engine for Testcontainers.", e);
        }
    }

    /// <summary>Stops RabbitMQ and starts it again on the same data.</summary>
    public Task RestartRabbitMqAsync() =>
        Restart?.Invoke() ?? throw new InvalidOperationException($"Set {RestartVariable} to a shell command that restarts the broker (scripts/test.sh does).");

    /// <summary>Freezes Redis for <paramref name="duration"/> (the process stops answering without closing connections), then thaws it.</summary>
    public async Task PauseRedisAsync(TimeSpan duration) => await await BeginRedisPauseAsync(duration);

    /// <summary>Freezes Redis and returns once it is frozen, with the task that thaws it after <paramref name="duration"/>.</summary>
    public async Task<Task> BeginRedisPauseAsync(TimeSpan duration)
    {
        var freeze = FreezeRedis ?? throw new InvalidOperationException("This Redis cannot be paused from the tests.");
        var thaw = await freeze();
        return ThawAfterAsync(thaw, duration);
    }

    private static async Task ThawAfterAsync(Func<Task> thaw, TimeSpan duration)
    {
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            await thaw();
        }
    }

    private static async Task RunShellAsync(string command)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' failed with {process.ExitCode}: {await output}{await error}");
        }
    }

    /// <summary>
    /// What the hosts are given as <c>ConnectionStrings:RabbitMq</c> for <paramref name="virtualHost"/>
    /// (a URI of the node the tests talk to): every node of the cluster when there is one.
    /// </summary>
    public string ConnectionString(Uri virtualHost) =>
        OtherNodes.Count == 0
            ? virtualHost.ToString()
            : $"{virtualHost.Scheme}://{virtualHost.UserInfo}@{string.Join(',', [$"{virtualHost.Host}:{virtualHost.Port}", .. OtherNodes])}{virtualHost.AbsolutePath}";

    /// <summary>A new virtual host, so that fixtures running in parallel never consume each other's messages.</summary>
    public async Task<Uri> CreateVirtualHostAsync(string name)
    {
        using var http = ManagementClient();
        var user = Uri.UnescapeDataString(RabbitMq.UserInfo.Split(':')[0]);
        (await http.PutAsJsonAsync($"api/vhosts/{Uri.EscapeDataString(name)}", new { })).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(user)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new Uri(RabbitMq, Uri.EscapeDataString(name));
    }

    public async Task DeleteVirtualHostAsync(string name)
    {
        using var http = ManagementClient();
        await http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(name)}");
    }

    private HttpClient ManagementClient()
    {
        var http = new HttpClient { BaseAddress = new Uri(Management.GetLeftPart(UriPartial.Authority) + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(Management.UserInfo))));
        return http;
    }
}
