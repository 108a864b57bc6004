using System.Diagnostics;
using System.Net.Http.Headers;
using Webhooks.Hosting;

namespace Webhooks.Bench;

/// <summary>Ingest and <c>N</c> Dispatchers, each a process of its own (as deployed), so that each one's CPU and memory can be read.</summary>
public sealed class PlatformProcesses : IAsyncDisposable
{
    private readonly IReadOnlyList<HostProcess> _hosts;

    private PlatformProcesses(IReadOnlyList<HostProcess> hosts, HttpClient client)
    {
        _hosts = hosts;
        Client = client;
    }

    public Process Ingest => _hosts[0].Process;

    public IReadOnlyList<Process> Dispatchers => [.. _hosts.Skip(1).Select(h => h.Process)];

    /// <summary>A client of the Ingest process with the admin key.</summary>
    public HttpClient Client { get; }

    public static async Task<PlatformProcesses> StartAsync(PlatformHosts hosts, int dispatchers, IDictionary<string, string?>? overrides = null)
    {
        var started = new List<HostProcess> { HostProcess.Start(hosts, "Ingest", overrides) };
        for (var i = 0; i < dispatchers; i++)
        {
            started.Add(HostProcess.Start(hosts, "Dispatcher", overrides));
        }
        foreach (var host in started)
        {
            if (!await host.WaitReadyAsync(TimeSpan.FromSeconds(90)))
            {
                // Leave nothing behind: the others would keep reconnecting after the bench is gone.
                foreach (var other in started)
                {
                    await other.DisposeAsync();
                }
                throw new InvalidOperationException($"A host process at {host.Url} did not become ready.");
            }
        }
        var client = new HttpClient { BaseAddress = new Uri(started[0].Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hosts.AdminKey);
        return new PlatformProcesses(started, client);
    }

    /// <summary>The Redis operations every host has sent so far, read from each one's <c>/metrics</c> (<c>webhooks_redis_operations_total</c>).</summary>
    public async Task<long> RedisOperationsAsync()
    {
        using var http = new HttpClient();
        long total = 0;
        foreach (var host in _hosts)
        {
            var metrics = await http.GetStringAsync(new Uri(new Uri(host.Url), "/metrics"));
            total += metrics.Split('\n').Where(line => line.StartsWith("webhooks_redis_operations_total", StringComparison.Ordinal))
                .Sum(line => (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }
}
