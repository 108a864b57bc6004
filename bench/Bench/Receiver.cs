using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Webhooks.Bench;

/// <summary>
/// The subscriber: a Kestrel server on 127.0.0.1 that notes when each webhook arrived (by its
/// <c>webhook-id</c>), optionally after a fixed think time per path, as a real receiver would.
/// Not the tests' <c>Subscriber</c>: at tens of thousands of webhooks a run it keeps an arrival time
/// and a count, never the request (the tests' keeps every body and header, which would be measured too).
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, long> _arrivals = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _thinkTimes = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new();

    private Receiver(WebApplication app)
    {
        _app = app;
        app.MapPost("/{path}", async (string path, HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            if (_thinkTimes.TryGetValue(path, out var think))
            {
                await Task.Delay(think);
            }
            var id = request.Headers["webhook-id"].ToString();
            _arrivals.TryAdd(id, Stopwatch.GetTimestamp());
            _counts.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (_waiters.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult();
            }
            return Results.NoContent();
        });
        // For the bench when the receiver is a process of its own (ReceiverProcess): what arrived where, and when.
        app.MapGet("/_bench/{path}/count", (string path) => CountOf(path));
        app.MapGet("/_bench/arrivals", () => _arrivals);
    }

    public string Url => _app.Urls.Single();

    public static async Task<Receiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var receiver = new Receiver(builder.Build());
        await receiver._app.StartAsync();
        return receiver;
    }

    /// <summary>A path on this receiver that answers after <paramref name="think"/>.</summary>
    public string Path(string name, TimeSpan think = default)
    {
        _thinkTimes[name] = think;
        return $"{Url}/{name}";
    }

    public int CountOf(string name) => _counts.GetValueOrDefault(name);

    /// <summary>
    /// Runs as the bench's receiver process (<c>Webhooks.Bench.dll receiver PORT</c>) until killed: the same receiver for the
    /// platform and the bare pipeline, each a process of its own, so that none of them shares a process with it.
    /// </summary>
    public static async Task RunAsProcessAsync(int port)
    {
        await using var receiver = await StartAsync(port);
        Console.WriteLine($"Receiving on {receiver.Url}");
        await Task.Delay(Timeout.Infinite);
    }

    /// <summary>When the webhook with this id arrived (a <see cref="Stopwatch"/> timestamp).</summary>
    public bool TryGetArrival(string id, out long at) => _arrivals.TryGetValue(id, out at);

    /// <summary>Completes when the webhook with this id has arrived (or already had).</summary>
    public Task WhenArrived(string id)
    {
        var waiter = _waiters.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_arrivals.ContainsKey(id))
        {
            _waiters.TryRemove(id, out _);
            return Task.CompletedTask;
        }
        return waiter.Task;
    }

    public async Task WaitForAsync(string name, int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (CountOf(name) < count)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{name}: {CountOf(name)} of {count} webhooks arrived within {timeout}.");
            }
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
