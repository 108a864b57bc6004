using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Webhooks.Hosting;

/// <summary>
/// An Ingest or Dispatcher as a process of its own on a free port of 127.0.0.1 (<see cref="PlatformHosts.StartProcess"/>):
/// for the benchmark's figures per process and for the fault suite, which kills (<c>SIGKILL</c>) and freezes
/// (<c>SIGSTOP</c>) it.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private HostProcess(string host, Process process, string url)
    {
        Host = host;
        Process = process;
        Url = url;
    }

    /// <summary><c>Ingest</c> or <c>Dispatcher</c>.</summary>
    public string Host { get; }

    public Process Process { get; }

    public string Url { get; }

    public static HostProcess Start(PlatformHosts hosts, string host, IDictionary<string, string?>? overrides = null)
    {
        var url = FreeUrl();
        var own = new Dictionary<string, string?>
        {
            ["Urls"] = url,
            // Its readiness is polled while the bus starts.
            ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
        };
        return new HostProcess(host, hosts.StartProcess(host, overrides, own), url);
    }

    /// <summary>Returns once <c>/readyz</c> answers 200; false when the process exits or <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !Process.HasExited)
        {
            try
            {
                if ((await http.GetAsync($"{Url}/readyz")).IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        return false;
    }

    /// <summary>Ends it at once, as <c>kill -9</c> does: no shutdown, nothing acknowledged that was not yet.</summary>
    public void Kill()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Stops it where it stands (<c>SIGSTOP</c>): its sockets stay open, it answers nothing, sends no heartbeat.</summary>
    public void Freeze() => Signal(SigStop);

    /// <summary>Lets a frozen process go on (<c>SIGCONT</c>).</summary>
    public void Thaw() => Signal(SigCont);

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            // A frozen process dies of SIGKILL too; SIGCONT first lets nothing else wait on it.
            SendSignal(Process.Id, SigCont);
        }
        Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Process.WaitForExitAsync(timeout.Token);
        Process.Dispose();
    }

    private const int SigCont = 18;
    private const int SigStop = 19;

    private void Signal(int signal)
    {
        if (!Process.HasExited && SendSignal(Process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"Signal {signal} to {Host} ({Process.Id}) failed: errno {Marshal.GetLastWin32Error()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static string FreeUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }
}
