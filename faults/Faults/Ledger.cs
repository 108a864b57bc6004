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
/// lost (neither, once the platform had time to drain). Duplicates are counted, never hidden: the same
/// <c>webhook-id</c> answered twice (redelivered: at-least-once) or one number accepted under two event
/// ids (published twice: an Ingest that lost the key of a request it had accepted).
/// </summary>
public sealed class Ledger(Publisher publisher, Subscribers subscribers, IReadOnlyList<Endpoint> endpoints, string tenant)
{
    /// <summary>The detail of one dead letter per reason: why they happened, for the log.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> Details { get; } = new();

    /// <summary>
    /// Waits until every due delivery is delivered or dead-lettered, or <paramref name="timeout"/> passes; then
    /// classifies. The time to drain runs from when the load stopped sending new requests.
    /// </summary>
    public async Task<Outcome> DrainAsync(Func<HttpClient> admin, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? drained = null;
        var deadLetters = new Dictionary<(string EventId, string EndpointId), string>();
        for (var round = 0; clock.Elapsed < timeout; round++)
        {
            if (Pending(deadLetters) == 0)
            {
                drained = Stopwatch.GetElapsedTime(publisher.StoppedSending);
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            if (round % 4 == 3)
            {
                deadLetters = await DeadLettersAsync(admin) ?? deadLetters;
            }
        }
        // A little longer, for duplicates still on their way.
        await Task.Delay(TimeSpan.FromSeconds(3));
        deadLetters = await DeadLettersAsync(admin) ?? deadLetters;
        return Classify(deadLetters, drained);
    }

    private int Pending(Dictionary<(string, string), string> deadLetters) =>
        publisher.Accepted.Sum(a => endpoints.Count(e => !subscribers.Received(e.Path).ContainsKey(a.Key) && !a.Value.Any(id => deadLetters.ContainsKey((id, e.Id)))));

    private Outcome Classify(Dictionary<(string EventId, string EndpointId), string> deadLetters, TimeSpan? drained)
    {
        int delivered = 0, lost = 0, redelivered = 0, publishedTwice = 0;
        var reasons = new Dictionary<string, int>();
        foreach (var (seq, ids) in publisher.Accepted)
        {
            publishedTwice += ids.Distinct().Count() - 1;
            foreach (var endpoint in endpoints)
            {
                if (subscribers.Received(endpoint.Path).TryGetValue(seq, out var arrivals))
                {
                    delivered++;
                    var webhookIds = arrivals.ToList();
                    redelivered += webhookIds.Count - webhookIds.Distinct().Count();
                }
                else if (ids.Select(id => deadLetters.GetValueOrDefault((id, endpoint.Id))).FirstOrDefault(r => r is not null) is { } reason)
                {
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
                else
                {
                    lost++;
                }
            }
        }
        var neverAcknowledged = endpoints.Sum(e => subscribers.Received(e.Path).Keys.Count(seq => !publisher.Accepted.ContainsKey(seq)));
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
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }
}
