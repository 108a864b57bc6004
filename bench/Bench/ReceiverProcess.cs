using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Webhooks.Bench;

/// <summary>
/// The bench's <see cref="Receiver"/> as a process of its own (<c>Webhooks.Bench.dll receiver PORT</c>), as a subscriber is
/// deployed: the platform's processes and the bare pipeline's POST to it alike, and its CPU is read on its own. Arrival
/// times are <see cref="Stopwatch"/> timestamps (the machine's monotonic clock), comparable with this process's.
/// </summary>
public sealed class ReceiverProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _control;

    private ReceiverProcess(Process process, string url)
    {
        _process = process;
        Url = url;
        _control = new HttpClient { BaseAddress = new Uri(url + "/") };
    }

    public string Url { get; }

    public int Pid => _process.Id;

    public static async Task<ReceiverProcess> StartAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("dotnet", [typeof(ReceiverProcess).Assembly.Location, "receiver", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var receiver = new ReceiverProcess(Process.Start(start)!, $"http://127.0.0.1:{port}");
        receiver._process.OutputDataReceived += (_, _) => { };
        receiver._process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { Console.Error.WriteLine($"[receiver] {line}"); } };
        receiver._process.BeginOutputReadLine();
        receiver._process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await receiver.CountOfAsync("ready");
                return receiver;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !receiver._process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public string Path(string name) => $"{Url}/{name}";

    public async Task<int> CountOfAsync(string name) => await _control.GetFromJsonAsync<int>($"_bench/{name}/count");

    public async Task WaitForAsync(string name, int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (await CountOfAsync(name) is var arrived && arrived < count)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{name}: {arrived} of {count} webhooks arrived within {timeout}.");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>When each webhook arrived so far, by its <c>webhook-id</c>.</summary>
    public async Task<Dictionary<string, long>> ArrivalsAsync() => (await _control.GetFromJsonAsync<Dictionary<string, long>>("_bench/arrivals"))!;

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
