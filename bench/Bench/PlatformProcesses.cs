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

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }
}
