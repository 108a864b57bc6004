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

    /// <summary>The Ingests running now (a copy: replacements join from other threads).</summary>
    public IReadOnlyList<HostProcess> Ingests
    {
        get
        {
            lock (_all)
            {
                return [.. _ingests];
            }
        }
    }

    /// <summary>The Dispatchers running now (a copy).</summary>
    public IReadOnlyList<HostProcess> Dispatchers
    {
        get
        {
            lock (_all)
            {
                return [.. _dispatchers];
            }
        }
    }

    /// <summary>Hosts killed by the scenario.</summary>
    public int Killed { get; private set; }

    public static async Task<Fleet> StartAsync(PlatformHosts hosts, int ingests, int dispatchers)
    {
        var fleet = new Fleet(hosts);
        try
        {
            await Task.WhenAll(Enumerable.Repeat("Ingest", ingests).Concat(Enumerable.Repeat("Dispatcher", dispatchers)).Select(fleet.StartAsync));
            return fleet;
        }
        catch
        {
            // Leave nothing behind: the others would keep reconnecting after the suite is gone.
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more <paramref name="host"/> (<c>Ingest</c> or <c>Dispatcher</c>) and returns once it is ready.</summary>
    public async Task<HostProcess> StartAsync(string host)
    {
        var process = HostProcess.Start(hosts, host);
        lock (_all)
        {
            _all.Add(process);
        }
        // faults/run.sh kills what is written here when it exits, however the suite ended.
        if (Environment.GetEnvironmentVariable("WEBHOOKS_FAULTS_DIR") is { Length: > 0 } dir)
        {
            await File.AppendAllTextAsync(Path.Combine(dir, "hosts.pids"), $"{process.Process.Id}\n");
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
        if (process.Process.HasExited)
        {
            throw new InvalidOperationException($"The {process.Host} at {process.Url} to be killed had already exited.");
        }
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
        string url;
        lock (_all)
        {
            url = _ingests.Count > 0 ? _ingests[0].Url : throw new InvalidOperationException("No Ingest is running.");
        }
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hosts.AdminKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        List<HostProcess> all;
        lock (_all)
        {
            all = [.. _all];
        }
        foreach (var process in all)
        {
            try
            {
                await process.DisposeAsync();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"  {process.Host} {process.Url} not stopped: {e.Message}");
            }
        }
    }
}
