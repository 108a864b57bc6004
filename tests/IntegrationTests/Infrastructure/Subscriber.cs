using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary>A webhook as a subscriber received it.</summary>
public sealed record ReceivedWebhook(HeaderDictionary Headers, string Body, DateTimeOffset At)
{
    public string Id => Headers["webhook-id"].ToString();

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>Checks the signature with the independent Standard Webhooks library.</summary>
    public bool VerifiesWith(string secret)
    {
        try
        {
            new StandardWebhook(secret).Verify(Body, Headers);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}

/// <summary>How a subscriber answers one webhook: a status, after a delay, with an optional Retry-After.</summary>
public sealed record Reply(int Status, TimeSpan Delay = default, string? RetryAfter = null, bool Close = false, string? Body = null)
{
    public static implicit operator Reply(int status) => new(status);
}

/// <summary>A real HTTP subscriber on 127.0.0.1 whose answers a test scripts.</summary>
public sealed class Subscriber : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    private Subscriber(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public IReadOnlyCollection<ReceivedWebhook> Received => _received;

    private int _inFlight;
    private int _maxInFlight;

    /// <summary>The most requests this subscriber had open at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Starts a subscriber answering each webhook with <paramref name="reply"/> of the number of webhooks before it (200 by default).</summary>
    public static async Task<Subscriber> StartAsync(Func<int, Reply>? reply = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var subscriber = new Subscriber(app);
        var count = 0;
        app.MapPost("/{**path}", async (HttpRequest request, HttpResponse response) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = new HeaderDictionary();
            foreach (var (name, value) in request.Headers)
            {
                headers[name] = value;
            }
            var number = Interlocked.Increment(ref count) - 1;
            var open = Interlocked.Increment(ref subscriber._inFlight);
            for (var max = subscriber._maxInFlight; open > max && Interlocked.CompareExchange(ref subscriber._maxInFlight, open, max) != max; max = subscriber._maxInFlight)
            {
            }
            subscriber._received.Enqueue(new ReceivedWebhook(headers, body, DateTimeOffset.UtcNow));
            var answer = reply?.Invoke(number) ?? 200;
            try
            {
                await Task.Delay(answer.Delay, request.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref subscriber._inFlight);
            }
            if (answer.Close)
            {
                response.Headers.Connection = "close";
            }
            if (answer.RetryAfter is not null)
            {
                response.Headers.RetryAfter = answer.RetryAfter;
            }
            return answer.Body is null ? Results.StatusCode(answer.Status) : Results.Text(answer.Body, statusCode: answer.Status);
        });
        await app.StartAsync();
        subscriber.Url = app.Urls.Single() + "/hook";
        return subscriber;
    }

    public Task<int> WaitForAsync(int count, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(() => Task.FromResult(_received.Count), n => n >= count, $"{count} webhooks arrived at {Url}", timeout);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
