using System.Net.Http.Headers;
using Webhooks.Hosting;

namespace Webhooks.Faults;

/// <summary>A scenario's Ingests and Dispatchers, each a process of its own, killed, frozen and replaced by its faults.</summary>
public sealed class Fleet(PlatformHosts hosts) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly List<HostProcess> _all = [];
    private readonly List<HostProcess> _ingests = [];
    private readonly List<HostProcess> _dispatchers = [];

    public IReadOnlyList<HostProcess> Ingests => _ingests;

    public IReadOnlyList<HostProcess> Dispatchers => _dispatchers;

    /// <summary>Hosts killed by the scenario.</summary>
    public int Killed { get; private set; }

    public static async Task<Fleet> StartAsync(PlatformHosts hosts, int ingests, int dispatchers)
    {
        var fleet = new Fleet(hosts);
        await Task.WhenAll(Enumerable.Repeat("Ingest", ingests).Concat(Enumerable.Repeat("Dispatcher", dispatchers)).Select(fleet.StartAsync));
        return fleet;
    }

    /// <summary>Starts one more <paramref name="host"/> (<c>Ingest</c> or <c>Dispatcher</c>) and returns once it is ready.</summary>
    public async Task<HostProcess> StartAsync(string host)
    {
        var process = HostProcess.Start(hosts, host);
        lock (_all)
        {
            _all.Add(process);
        }
        if (!await process.WaitReadyAsync(StartTimeout))
        {
            throw new InvalidOperationException($"A {host} process at {process.Url} did not become ready within {StartTimeout.TotalSeconds} s.");
        }
        lock (_all)
        {
            (host == "Ingest" ? _ingests : _dispatchers).Add(process);
        }
        return process;
    }

    /// <summary><c>kill -9</c>, and the host is gone from the fleet.</summary>
    public void Kill(HostProcess process)
    {
        process.Kill();
        lock (_all)
        {
            _ingests.Remove(process);
            _dispatchers.Remove(process);
        }
        Killed++;
    }

    /// <summary>A client with the admin key of an Ingest still running.</summary>
    public HttpClient Admin()
    {
        var client = new HttpClient { BaseAddress = new Uri(_ingests[0].Url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hosts.AdminKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _all)
        {
            await process.DisposeAsync();
        }
    }
}
