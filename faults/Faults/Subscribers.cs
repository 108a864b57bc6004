using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Webhooks.Faults;

// Not the tests' Subscriber: these answer by a clock shared by a scenario's subscribers (flapping together), on
// paths of one server, and record each delivery by the publisher's sequence number read from its body, which the
// ledger classifies; the tests' subscriber scripts its answers by call number instead.

/// <summary>How a subscriber answers a webhook.</summary>
public enum Behaviour
{
    /// <summary>204 at once.</summary>
    Steady,

    /// <summary>500 to the first attempt of every webhook, 204 to the next: every delivery goes through a retry.</summary>
    FailsFirst,

    /// <summary>
    /// Cycles every 8 s through up (2 s), 500 (1.5 s), 429 with <c>Retry-After: 1</c> (1.5 s), slow
    /// (answers after 3 s, 1.5 s) and down (the connection cut without an answer, 1.5 s).
    /// </summary>
    Flapping,
}

/// <summary>
/// The subscribers: a Kestrel server on 127.0.0.1 with a path per endpoint, each answering by its
/// <see cref="Behaviour"/>, that writes down every webhook it answered with a 2xx by the event's
/// sequence number (in its data) and <c>webhook-id</c>: what the ledger counts as delivered.
/// </summary>
public sealed class Subscribers : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Behaviour> _behaviours = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, ConcurrentQueue<string>>> _received = new();
    private readonly ConcurrentDictionary<string, byte> _failedOnce = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private Subscribers(WebApplication app)
    {
        _app = app;
        app.MapPost("/{path}", Answer);
    }

    public static async Task<Subscribers> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        var subscribers = new Subscribers(builder.Build());
        await subscribers._app.StartAsync();
        return subscribers;
    }

    /// <summary>A new path answering by <paramref name="behaviour"/>; its URL.</summary>
    public string Add(string path, Behaviour behaviour)
    {
        _behaviours[path] = behaviour;
        _received[path] = new();
        return $"{_app.Urls.Single()}/{path}";
    }

    /// <summary>The webhook ids each sequence number arrived with at <paramref name="path"/> (answered 2xx).</summary>
    public IReadOnlyDictionary<long, ConcurrentQueue<string>> Received(string path) => _received[path];

    private async Task Answer(string path, HttpContext http)
    {
        if (!_behaviours.TryGetValue(path, out var behaviour))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        using var body = await JsonDocument.ParseAsync(http.Request.Body);
        var seq = body.RootElement.GetProperty("data").GetProperty("seq").GetInt64();
        var webhookId = http.Request.Headers["webhook-id"].ToString();
        switch (behaviour)
        {
            case Behaviour.FailsFirst when _failedOnce.TryAdd(webhookId, 0):
                http.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            case Behaviour.Flapping:
                switch (_clock.Elapsed.TotalSeconds % 8)
                {
                    case < 2:
                        break;
                    case < 3.5:
                        http.Response.StatusCode = StatusCodes.Status500InternalServerError;
                        return;
                    case < 5:
                        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                        http.Response.Headers.RetryAfter = "1";
                        return;
                    case < 6.5:
                        await Task.Delay(TimeSpan.FromSeconds(3));
                        break;
                    default:
                        http.Abort();
                        return;
                }
                break;
        }
        _received[path].GetOrAdd(seq, _ => new()).Enqueue(webhookId);
        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
