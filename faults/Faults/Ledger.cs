using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Webhooks.Faults;

/// <summary>A subscribed endpoint: its id and its path at the subscribers.</summary>
public sealed record Endpoint(string Id, string Path);

/// <summary>What became of one scenario's events.</summary>
public sealed record Outcome(
    int Accepted,
    int Due,
    int Delivered,
    IReadOnlyDictionary<string, int> DeadLettered,
    int Lost,
    int Redelivered,
    int PublishedTwice,
    int NeverAcknowledged,
    TimeSpan? Drained)
{
    public int DeadLetteredTotal => DeadLettered.Values.Sum();
}

/// <summary>
/// Classifies every accepted event for every endpoint it was due at, as a Jepsen checker does: delivered
/// (a subscriber answered 2xx to it), dead-lettered (listed by the dead-letter API, with its reason), or
/// lost (neither, once the platform had time to drain). An event counts as delivered only under an id
/// Ingest answered 202 with (<c>webhook-id</c> is the event id). Duplicates are counted, never hidden:
/// the same <c>webhook-id</c> answered twice (redelivered: at-least-once), or another event with the
/// number of an accepted one (published twice: a request accepted whose 202 was lost, retried as new).
/// </summary>
public sealed class Ledger(Publisher publisher, Subscribers subscribers, IReadOnlyList<Endpoint> endpoints, string tenant)
{
    /// <summary>The detail of one dead letter per reason: why they happened, for the log.</summary>
    public ConcurrentDictionary<string, string> Details { get; } = new();

    /// <summary>What was lost, as event ids (all a request was accepted under) and the endpoint: where to look in the hosts' logs and Redis.</summary>
    public List<string> LostDeliveries { get; } = [];

    /// <summary>
    /// Watches from the moment the load is started until it is over (<paramref name="load"/>: every request
    /// answered or given up) and every due delivery is delivered or dead-lettered, or until
    /// <paramref name="timeout"/> after the load; then classifies. The time to drain runs from when the load
    /// stopped sending new requests.
    /// </summary>
    public async Task<Outcome> DrainAsync(Func<HttpClient> admin, Task load, TimeSpan timeout)
    {
        TimeSpan? drained = null;
        var deadLetters = new Dictionary<(string EventId, string EndpointId), string>();
        DateTime? deadline = null;
        for (var round = 0; deadline is null || DateTime.UtcNow < deadline; round++)
        {
            if (load.IsCompleted)
            {
                deadline ??= DateTime.UtcNow + timeout;
                if (Pending(deadLetters) == 0)
                {
                    drained = Stopwatch.GetElapsedTime(publisher.StoppedSending);
                    break;
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            if (round % 4 == 3 && load.IsCompleted)
            {
                deadLetters = await DeadLettersAsync(admin) ?? deadLetters;
            }
        }
        // A little longer, for duplicates still on their way.
        await Task.Delay(TimeSpan.FromSeconds(3));
        deadLetters = await DeadLettersAsync(admin) ?? deadLetters;
        return Classify(deadLetters, drained);
    }

    /// <summary>Whether the subscriber at <paramref name="path"/> answered 2xx to one of these events (<c>webhook-id</c> is the event id).</summary>
    private bool Delivered(string path, long seq, ConcurrentBag<string> ids) =>
        subscribers.Received(path).TryGetValue(seq, out var arrivals) && arrivals.Any(ids.Contains);

    private int Pending(Dictionary<(string, string), string> deadLetters) =>
        publisher.Accepted.Sum(a => endpoints.Count(e => !Delivered(e.Path, a.Key, a.Value) && !a.Value.Any(id => deadLetters.ContainsKey((id, e.Id)))));

    private Outcome Classify(Dictionary<(string EventId, string EndpointId), string> deadLetters, TimeSpan? drained)
    {
        int delivered = 0, lost = 0;
        var reasons = new Dictionary<string, int>();
        foreach (var (seq, ids) in publisher.Accepted)
        {
            foreach (var endpoint in endpoints)
            {
                if (Delivered(endpoint.Path, seq, ids))
                {
                    delivered++;
                }
                else if (ids.Select(id => deadLetters.GetValueOrDefault((id, endpoint.Id))).FirstOrDefault(r => r is not null) is { } reason)
                {
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
                else
                {
                    lost++;
                    LostDeliveries.Add($"{string.Join("/", ids)} to {endpoint.Path} {endpoint.Id}");
                }
            }
        }
        // What the subscribers got beyond one answer per accepted event: the same event again (redelivered), or another
        // event with the number of one accepted (published twice), or the number of one never accepted.
        int redelivered = 0, publishedTwice = 0, neverAcknowledged = 0;
        foreach (var endpoint in endpoints)
        {
            foreach (var (seq, arrivals) in subscribers.Received(endpoint.Path))
            {
                var webhookIds = arrivals.ToList();
                redelivered += webhookIds.Count - webhookIds.Distinct().Count();
                if (publisher.Accepted.TryGetValue(seq, out var ids))
                {
                    publishedTwice += webhookIds.Distinct().Count(id => !ids.Contains(id));
                }
                else
                {
                    neverAcknowledged++;
                }
            }
        }
        return new Outcome(publisher.Accepted.Count, publisher.Accepted.Count * endpoints.Count, delivered, reasons, lost, redelivered, publishedTwice, neverAcknowledged, drained);
    }

    /// <summary>Every dead letter of the scenario's tenant, page by page; null when Ingest cannot list them now.</summary>
    private async Task<Dictionary<(string, string), string>?> DeadLettersAsync(Func<HttpClient> admin)
    {
        var found = new Dictionary<(string, string), string>();
        try
        {
            using var client = admin();
            for (string? after = null; ;)
            {
                var page = await client.GetFromJsonAsync<JsonElement>($"/v1/dead-letters?tenant={tenant}&limit=200{(after is null ? "" : $"&after={after}")}");
                foreach (var d in page.GetProperty("data").EnumerateArray())
                {
                    if (d.TryGetProperty("endpointId", out var endpointId) && endpointId.ValueKind == JsonValueKind.String)
                    {
                        var reason = d.GetProperty("reason").GetString()!;
                        found[(d.GetProperty("eventId").GetString()!, endpointId.GetString()!)] = reason;
                        Details.TryAdd(reason, $"{endpointId.GetString()}: {d.GetProperty("detail").GetString()}");
                    }
                }
                if ((after = page.GetProperty("nextAfter").GetString()) is null)
                {
                    return found;
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
