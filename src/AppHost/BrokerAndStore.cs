using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Webhooks.AppHost;

/// <summary>
/// RabbitMQ and Redis for the local run: containers where a Docker engine runs, otherwise the
/// machine's own servers as executables on private loopback ports and data folders.
/// </summary>
public static class BrokerAndStore
{
    public sealed record Connection(IResourceBuilder<IResource> Resource, string? Value, IResourceBuilder<IResourceWithConnectionString>? Reference);

    public static (Connection RabbitMq, Connection Redis) AddBrokerAndStore(this IDistributedApplicationBuilder builder, LocalRun run)
    {
        if (run.DockerRuns)
        {
            var rabbitContainer = builder.AddRabbitMQ("rabbitmq").WithManagementPlugin();
            var redisContainer = builder.AddRedis("redis").WithArgs("--appendonly", "yes", "--maxmemory-policy", "noeviction");
            return (new Connection(rabbitContainer.AsResource(), null, rabbitContainer), new Connection(redisContainer.AsResource(), null, redisContainer));
        }

        var rabbitDir = Path.Combine(run.Directory, "rabbitmq");
        var redisDir = Path.Combine(run.Directory, "redis");
        Directory.CreateDirectory(rabbitDir);
        Directory.CreateDirectory(redisDir);

        builder.Services.AddHealthChecks()
            .AddAsyncCheck("rabbitmq-ready", RabbitMqReadyAsync)
            .AddAsyncCheck("redis-ready", RedisReadyAsync);

        // The same recipes as the tests' servers (scripts/lib): each prepares its folder and runs the server in the foreground.
        var rabbit = builder.AddExecutable("rabbitmq", "bash", rabbitDir,
                run.Script("private-rabbitmq.sh"), rabbitDir, LocalRun.AmqpPort.ToString(), LocalRun.ManagementPort.ToString())
            .WithHealthCheck("rabbitmq-ready");
        var redis = builder.AddExecutable("redis", "bash", redisDir,
                run.Script("private-redis.sh"), redisDir, LocalRun.RedisPort.ToString())
            .WithHealthCheck("redis-ready");
        return (new Connection(rabbit.AsResource(), $"amqp://guest:guest@127.0.0.1:{LocalRun.AmqpPort}/", null),
            new Connection(redis.AsResource(), $"127.0.0.1:{LocalRun.RedisPort}", null));
    }

    /// <summary>The settings every Webhooks host of the local run shares, and the servers it waits for.</summary>
    public static IResourceBuilder<ProjectResource> WithWebhooksSettings(this IResourceBuilder<ProjectResource> project, LocalRun run, Connection rabbitMq, Connection redis)
    {
        project = rabbitMq.Reference is { } rabbitReference ? project.WithReference(rabbitReference, "RabbitMq") : project.WithEnvironment("ConnectionStrings__RabbitMq", rabbitMq.Value);
        project = redis.Reference is { } redisReference ? project.WithReference(redisReference, "Redis") : project.WithEnvironment("ConnectionStrings__Redis", redis.Value);
        project = project
            .WithEnvironment("Webhooks__Auth__AdminKey", run.AdminKey)
            .WithEnvironment("Webhooks__Secrets__Keys__0", run.SecretsKey)
            .WithEnvironment("Webhooks__Destinations__Allow__0", "127.0.0.0/8 ports=* keep-bodies");
        // Settings the run was started with (./scripts/run.sh passes its environment on) win over these.
        foreach (var (name, value) in LocalRun.PassedThrough())
        {
            project = project.WithEnvironment(name, value);
        }
        return project.WaitFor(rabbitMq.Resource).WaitFor(redis.Resource);
    }

    private static IResourceBuilder<IResource> AsResource<T>(this IResourceBuilder<T> builder) where T : IResource => (IResourceBuilder<IResource>)(object)builder;

    private static async Task<HealthCheckResult> RabbitMqReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        try
        {
            var response = await http.GetAsync($"http://127.0.0.1:{LocalRun.ManagementPort}/api/overview", cancellationToken);
            return response.IsSuccessStatusCode ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"management API answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy("RabbitMQ is starting", e);
        }
    }

    private static async Task<HealthCheckResult> RedisReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", LocalRun.RedisPort, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Redis is loading");
        }
        catch (SocketException e)
        {
            return HealthCheckResult.Unhealthy("Redis is starting", e);
        }
    }
}
