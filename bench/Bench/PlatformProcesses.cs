using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Webhooks.Hosting;

namespace Webhooks.Bench;

/// <summary>Ingest and <c>N</c> Dispatchers, each a process of its own (as deployed), so that each one's CPU and memory can be read.</summary>
public sealed class PlatformProcesses : IAsyncDisposable
{
    private PlatformProcesses(Process ingest, IReadOnlyList<Process> dispatchers, HttpClient client)
    {
        Ingest = ingest;
        Dispatchers = dispatchers;
        Client = client;
    }

    public Process Ingest { get; }

    public IReadOnlyList<Process> Dispatchers { get; }

    /// <summary>A client of the Ingest process with the admin key.</summary>
    public HttpClient Client { get; }

    public static async Task<PlatformProcesses> StartAsync(PlatformHosts hosts, int dispatchers, IDictionary<string, string?>? overrides = null)
    {
        var ingestUrl = FreeUrl();
        var ingest = hosts.StartProcess("Ingest", With(overrides, ingestUrl));
        var started = new List<(Process Process, string Url)> { (ingest, ingestUrl) };
        for (var i = 0; i < dispatchers; i++)
        {
            var url = FreeUrl();
            started.Add((hosts.StartProcess("Dispatcher", With(overrides, url)), url));
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        foreach (var (process, url) in started)
        {
            while (!await ReadyAsync(http, url))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    // Leave nothing behind: the others would keep reconnecting after the bench is gone.
                    foreach (var (other, _) in started.Where(s => !s.Process.HasExited))
                    {
                        other.Kill(entireProcessTree: true);
                    }
                    throw new InvalidOperationException($"A host process at {url} did not become ready.");
                }
                await Task.Delay(200);
            }
        }
        var client = new HttpClient { BaseAddress = new Uri(ingestUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hosts.AdminKey);
        return new PlatformProcesses(ingest, [.. started.Skip(1).Select(s => s.Process)], client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (var process in Dispatchers.Prepend(Ingest))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient http, string url)
    {
        try
        {
            return (await http.GetAsync($"{url}/readyz")).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static Dictionary<string, string?> With(IDictionary<string, string?>? overrides, string url) =>
        new(overrides ?? new Dictionary<string, string?>()) { ["Urls"] = url, ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None" };

    private static string FreeUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }
}
