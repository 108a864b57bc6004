using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary><c>webhooks listen</c> as a process of its own, registered as an endpoint of the system's Ingest, and what it printed.</summary>
public sealed class ListenProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ListenProcess(Process process) => _process = process;

    public string Printed
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Where it listens.</summary>
    public string Url { get; private init; } = "";

    /// <summary>Starts <c>listen --register</c> for <paramref name="tenant"/> with <paramref name="options"/>, and returns once it listens.</summary>
    public static Task<ListenProcess> StartAsync(WebhooksSystem system, string tenant, params string[] options) =>
        StartAsync(["--register", system.Ingest.BaseAddress!.ToString(), "--api-key", system.AdminKey, "--tenant", tenant, .. options]);

    /// <summary>Starts <c>listen --json</c>, a receiver of its own process (no endpoint registered), and returns once it listens.</summary>
    public static Task<ListenProcess> StartReceiverAsync(params string[] options) => StartAsync(["--json", .. options]);

    /// <summary>The webhooks it printed with <c>--json</c>, one a line, in arrival order.</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> Received =>
        [.. Printed.Split('\n').Where(line => line.StartsWith('{')).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.Clone())];

    private static async Task<ListenProcess> StartAsync(string[] options)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", ["Webhooks.Cli.dll", "listen", "--port", port.ToString(), .. options])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var listen = new ListenProcess(Process.Start(start)!) { Url = $"http://127.0.0.1:{port}/hook" };
        listen._process.OutputDataReceived += (_, e) => listen.Append(e.Data);
        listen._process.ErrorDataReceived += (_, e) => listen.Append(e.Data);
        listen._process.BeginOutputReadLine();
        listen._process.BeginErrorReadLine();
        await listen.WaitForAsync("Listening on", "listen registers itself and listens");
        return listen;
    }

    public Task<string> WaitForAsync(string text, string what) => Eventually.HoldsAsync(() => Task.FromResult(Printed), o => o.Contains(text), what);

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
