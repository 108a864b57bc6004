using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Webhooks.Dispatcher;
using Webhooks.Ingest;

namespace Webhooks.Hosting;

/// <summary>
/// Ingest and Dispatcher hosts in this process, on 127.0.0.1, against the given RabbitMQ and Redis
/// with every key under <paramref name="keyPrefix"/>: how the integration tests and the benchmark
/// start the platform. <paramref name="settings"/> are added to (and win over) the shared ones.
/// </summary>
public sealed class PlatformHosts(string rabbitMq, string redis, string keyPrefix, IReadOnlyDictionary<string, string?>? settings = null, string environment = "Testing")
{
    private readonly Dictionary<string, string?> _settings = new(settings ?? new Dictionary<string, string?>());

    /// <summary>The admin API key every host is configured with.</summary>
    public string AdminKey { get; } = "test-admin-" + Guid.NewGuid().ToString("N");

    /// <summary>The key that encrypts endpoint secrets at rest.</summary>
    public string SecretsKey { get; } = "test:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Sets <paramref name="key"/> for every host started from now on (a setting known only once one host runs).</summary>
    public void Set(string key, string? value) => _settings[key] = value;

    /// <summary>
    /// A host's settings: the shared ones, this platform's, then each of <paramref name="overrides"/> in turn, a
    /// later one winning. The one place a host's settings are put together, for hosts in this process and as processes.
    /// </summary>
    public Dictionary<string, string?> Settings(params IEnumerable<KeyValuePair<string, string?>>?[] overrides)
    {
        var all = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["ConnectionStrings:RabbitMq"] = rabbitMq,
            ["ConnectionStrings:Redis"] = redis,
            ["Webhooks:Storage:KeyPrefix"] = keyPrefix,
            ["Webhooks:Destinations:Allow:0"] = "127.0.0.0/8 ports=* keep-bodies",
            ["Webhooks:Auth:AdminKey"] = AdminKey,
            ["Webhooks:Secrets:Keys:0"] = SecretsKey,
            ["Logging:LogLevel:Default"] = "Warning",
            // Tests and the bench publish floods from one tenant: quotas out of the way unless a test sets a tenant's own.
            ["Webhooks:Quotas:Endpoints"] = "1000000",
            ["Webhooks:Quotas:EventsPerSecond"] = "1000000",
            ["Webhooks:Quotas:EventsBurst"] = "10000000",
            ["Webhooks:Quotas:BytesPerSecond"] = "10000000000",
            ["Webhooks:Quotas:BytesBurst"] = "2147483647",
        };
        foreach (var (key, value) in overrides.Prepend(_settings).SelectMany(layer => layer ?? []))
        {
            all[key] = value;
        }
        return all;
    }

    /// <summary>A started Ingest host; <paramref name="overrides"/> change its settings, <paramref name="services"/> its services.</summary>
    public async Task<WebApplication> StartIngestAsync(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var builder = CreateBuilder(overrides);
        builder.AddIngest();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapIngest();
        await app.StartAsync();
        return app;
    }

    /// <summary>A started Dispatcher host, once it is ready (its bus connected: a host stopped before that would leave the bus starting behind it).</summary>
    public async Task<WebApplication> StartDispatcherAsync(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var builder = CreateBuilder(overrides);
        var warnings = new RecentWarnings();
        builder.Logging.AddProvider(warnings);
        builder.AddDispatcher();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapDispatcher();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        // Two minutes: a broker just restarted by a test recovers its quorum queues before it answers declarations.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        // Ready and every receive endpoint started: /readyz answers 200 for a bus still Degraded (an endpoint
        // not yet consuming, its queue perhaps not yet declared), which a test would race.
        var health = app.Services.GetRequiredService<HealthCheckService>();
        while (!(await http.GetAsync("/readyz")).IsSuccessStatusCode
            || (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Status != HealthStatus.Healthy)
        {
            if (DateTime.UtcNow > deadline)
            {
                var report = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));
                var checks = string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status} {e.Value.Description} {e.Value.Exception?.Message}"));
                await app.StopAsync();
                await app.DisposeAsync();
                throw new TimeoutException($"The dispatcher did not become ready within 120 s ({checks}). Its last warnings:{Environment.NewLine}{warnings.Text}");
            }
            await Task.Delay(100);
        }
        return app;
    }

    /// <summary>
    /// <paramref name="host"/> (<c>Ingest</c> or <c>Dispatcher</c>) as a process of its own, from the
    /// build next to this assembly, with these settings as environment variables: for tests that kill
    /// a host, and for the benchmark's figures per process. Its output is read and dropped (echoed with
    /// <c>WEBHOOKS_DEBUG_HOSTS=1</c>).
    /// </summary>
    public Process StartProcess(string host, params IEnumerable<KeyValuePair<string, string?>>?[] overrides)
    {
        var start = new ProcessStartInfo("dotnet", [$"Webhooks.{host}.dll"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in Settings(overrides))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        // WEBHOOKS_DEBUG_HOSTS=1 passes its output on to stderr, each line marked with the host.
        var (echo, pid) = (Environment.GetEnvironmentVariable("WEBHOOKS_DEBUG_HOSTS") is { Length: > 0 }, process.Id);
        void Echo(object _, DataReceivedEventArgs e)
        {
            if (echo && e.Data is { } line)
            {
                Console.Error.WriteLine($"[{host} {pid} {DateTime.UtcNow:HH:mm:ss.f}] {line}");
            }
        }
        process.OutputDataReceived += Echo;
        process.ErrorDataReceived += Echo;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private WebApplicationBuilder CreateBuilder(IDictionary<string, string?>? overrides)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(Settings(overrides));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // As strict as Development: a singleton that captures a scoped service fails here, not in a newcomer's run.
        builder.Host.UseDefaultServiceProvider(o =>
        {
            o.ValidateScopes = true;
            o.ValidateOnBuild = true;
        });
        return builder;
    }
}
