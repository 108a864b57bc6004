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
    }

    public string Url => _app.Urls.Single();

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
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
