using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Webhooks.Faults;

/// <summary>
/// The upstream service: publishes events numbered 1, 2, 3 … (their <c>data.seq</c>) through Ingest at a
/// steady pace, one in five requests a batch of ten, each request with an <c>Idempotency-Key</c> of its
/// own. An answer that is not <c>202</c> (a 503 while the broker cannot confirm, a connection refused
/// by a killed Ingest, a timeout) is retried with the same key, on the next Ingest, as a careful
/// publisher does; writes down the event ids each number was accepted under.
/// </summary>
public sealed class Publisher(string tenant, string scenario, string adminKey) : IDisposable
{
    private const int BatchSize = 10;
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http = Client(adminKey);
    private readonly ConcurrentDictionary<long, ConcurrentBag<string>> _accepted = new();
    private readonly ConcurrentDictionary<string, int> _refusals = new();
    private readonly List<string> _ingests = [];
    private long _next;
    private int _turn;
    private int _givenUp;

    /// <summary>The event ids each accepted sequence number got (one, unless an Ingest forgot a key).</summary>
    public IReadOnlyDictionary<long, ConcurrentBag<string>> Accepted => _accepted;

    /// <summary>Answers other than 202 on the way (retried), by status or error.</summary>
    public IReadOnlyDictionary<string, int> Refusals => _refusals;

    /// <summary>When the load stopped sending new requests (a <see cref="System.Diagnostics.Stopwatch"/> timestamp); retries may go on after it.</summary>
    public long StoppedSending { get; private set; }

    /// <summary>Events never accepted within a minute of retries (not counted as accepted).</summary>
    public int GivenUp => _givenUp;

    /// <summary>The Ingests requests go to, in turn; replaced as Ingests are killed and started.</summary>
    public void UseIngests(IEnumerable<string> urls)
    {
        lock (_ingests)
        {
            _ingests.Clear();
            _ingests.AddRange(urls);
        }
    }

    /// <summary>Publishes for <paramref name="duration"/> at <paramref name="requestsPerSecond"/>, then waits for every request to end.</summary>
    public async Task RunAsync(TimeSpan duration, int requestsPerSecond)
    {
        var requests = new List<Task>();
        var interval = TimeSpan.FromSeconds(1.0 / requestsPerSecond);
        var start = DateTime.UtcNow;
        for (var n = 0; DateTime.UtcNow - start < duration; n++)
        {
            requests.Add(n % 5 == 4 ? SendAsync(BatchSize) : SendAsync(1));
            var due = start + interval * (n + 1);
            if (due > DateTime.UtcNow)
            {
                await Task.Delay(due - DateTime.UtcNow);
            }
        }
        StoppedSending = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.WhenAll(requests);
    }

    private async Task SendAsync(int count)
    {
        var first = Interlocked.Add(ref _next, count) - count + 1;
        var events = Enumerable.Range(0, count).Select(i => new { type = "fault.checked", tenant, data = new { seq = first + i, scenario } }).ToList();
        var key = $"{scenario}-{first}";
        var deadline = DateTime.UtcNow + GiveUpAfter;
        while (DateTime.UtcNow < deadline)
        {
            if (NextIngest() is not { } ingest)
            {
                // Every Ingest killed, their replacements not ready yet.
                Refused("no Ingest");
                await Task.Delay(TimeSpan.FromMilliseconds(250));
                continue;
            }
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, count == 1 ? $"{ingest}/v1/events" : $"{ingest}/v1/events/batch")
                {
                    Content = count == 1 ? JsonContent.Create(events[0]) : JsonContent.Create(new { events }),
                };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await _http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                    var ids = count == 1 ? [body.GetProperty("id").GetString()!] : body.GetProperty("ids").EnumerateArray().Select(id => id.GetString()!).ToList();
                    for (var i = 0; i < count; i++)
                    {
                        _accepted.GetOrAdd(first + i, _ => []).Add(ids[i]);
                    }
                    return;
                }
                Refused(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Refused("connection");
            }
            catch (JsonException)
            {
                // An answer cut short by a killed Ingest: the retry with the same key gets the same ids.
                Refused("answer cut short");
            }
            catch (TaskCanceledException)
            {
                Refused("timeout");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        Interlocked.Increment(ref _givenUp);
    }

    private string? NextIngest()
    {
        lock (_ingests)
        {
            return _ingests.Count == 0 ? null : _ingests[_turn++ % _ingests.Count];
        }
    }

    private void Refused(string why) => _refusals.AddOrUpdate(why, 1, (_, n) => n + 1);

    private static HttpClient Client(string adminKey)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        return http;
    }

    public void Dispose() => _http.Dispose();
}
