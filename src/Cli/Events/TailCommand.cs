using System.CommandLine;
using System.Text.Json;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.Events;

/// <summary><c>webhooks deliveries tail</c>: attempts as they happen, for some endpoints or a whole tenant, each marked with what follows it.</summary>
public static class TailCommand
{
    /// <summary>How long a final failure's dead letter is looked for before the tail says it has not seen one.</summary>
    private static readonly TimeSpan DeadLetterWait = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var endpoints = new Option<string[]>("--endpoint") { Description = "an endpoint to follow (repeat it)" };
        var tenant = new Option<string?>("--tenant") { Description = "follow every endpoint of this tenant" };
        var duration = DurationOption("--for", "stop after this long (90s, 5m, 00:05:00); else at Ctrl-C");
        var tail = new Command("tail", "print delivery attempts as they happen: whether a retry follows, the last attempt, the dead letter").With(endpoints, tenant, duration).Runs(async s =>
        {
            var ids = s.Get(endpoints)?.ToList() ?? [];
            if (s.Get(tenant) is { } t)
            {
                var ofTenant = (await s.Api.ListAsync($"/v1/endpoints?{Query(("tenant", t))}", 10_000, s.Cancellation)).Select(e => e.Text("id")!).ToList();
                if (ofTenant.Count == 0 && ids.Count == 0)
                {
                    throw new Api.CliFailure(Api.ExitCodes.Refused, $"tenant '{t}' has no endpoints: nothing to follow (webhooks endpoints list --tenant {t}).");
                }
                ids.AddRange(ofTenant);
            }
            if (ids.Count == 0)
            {
                throw new Api.CliFailure(Api.ExitCodes.Usage, "name --endpoint or --tenant to follow.");
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(s.Cancellation);
            if (s.Get(duration) is { } d)
            {
                stop.CancelAfter(d);
            }
            // What is already there is not news: only what comes after the first look is printed.
            var seen = new HashSet<string>();
            foreach (var id in ids)
            {
                seen.UnionWith((await s.Api.GetAsync($"/v1/endpoints/{Uri.EscapeDataString(id)}/attempts?limit=200", s.Cancellation)).GetProperty("data").EnumerateArray().Select(Key));
            }
            // With --json on stderr, so that stdout stays one attempt a line; a script can wait for it to know the tail has begun.
            var following = $"Following {ids.Count} endpoint(s); Ctrl-C stops.";
            if (s.Out.Json)
            {
                Console.Error.WriteLine(following);
            }
            else
            {
                s.Out.Line(following);
            }
            // Final failures whose dead letter is still to be seen: (event, endpoint) → since when it is looked for.
            var awaited = new Dictionary<(string Event, string Endpoint), DateTimeOffset>();
            while (!stop.IsCancellationRequested)
            {
                foreach (var id in ids)
                {
                    var attempts = (await s.Api.GetAsync($"/v1/endpoints/{Uri.EscapeDataString(id)}/attempts?limit=200", s.Cancellation)).GetProperty("data").EnumerateArray()
                        .Where(a => seen.Add(Key(a))).Reverse().ToList();
                    foreach (var attempt in attempts)
                    {
                        if (s.Out.Json)
                        {
                            Console.Out.WriteLine(attempt.GetRawText());
                        }
                        else
                        {
                            s.Out.Line($"{attempt.Time("at")}  {id}  {attempt.Text("eventId")}  #{attempt.Text("number")}  {Answer(attempt)}  {attempt.Text("durationMs")} ms  trace {attempt.Text("traceId") ?? "-"}  {Follows(attempt)}");
                        }
                        if (attempt.Text("succeeded") != "true" && attempt.Text("nextAttemptAt") is null)
                        {
                            awaited[(attempt.Text("eventId")!, id)] = DateTimeOffset.UtcNow;
                        }
                    }
                }
                if (!s.Out.Json)
                {
                    await ReportDeadLettersAsync(s, awaited);
                }
                try
                {
                    await Task.Delay(1000, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            return 0;
        });
        return new Command("deliveries", "deliveries as they happen").With(tail);
    }

    private static string? Answer(JsonElement attempt) =>
        attempt.Text("statusCode") ?? (attempt.Text("errorDetail") is { } why ? $"{attempt.Text("error")} ({why})" : attempt.Text("error"));

    /// <summary>What follows an attempt: nothing (delivered), the next one and when, or none: the last.</summary>
    private static string Follows(JsonElement attempt) =>
        attempt.Text("succeeded") == "true" ? "✔ delivered"
        : attempt.Time("nextAttemptAt") is { } next ? $"→ retry #{int.Parse(attempt.Text("number")!, System.Globalization.CultureInfo.InvariantCulture) + 1}{(attempt.Text("finalNumber") is { } final ? $" of {final}" : "")} at {next}"
        : "✘ last attempt: no retry follows";

    /// <summary>Prints the dead letter each final failure became, once its delivery says so (or that none was seen in time).</summary>
    private static async Task ReportDeadLettersAsync(CommandLine.Session s, Dictionary<(string Event, string Endpoint), DateTimeOffset> awaited)
    {
        foreach (var ((eventId, endpointId), since) in awaited.ToList())
        {
            var shown = await s.Api.GetAsync($"/v1/events/{Uri.EscapeDataString(eventId)}", s.Cancellation);
            var delivery = shown.GetProperty("deliveries").EnumerateArray().FirstOrDefault(d => d.Text("endpointId") == endpointId);
            if (delivery.ValueKind == JsonValueKind.Object && delivery.Text("status") == "dead_lettered")
            {
                s.Out.Line($"{"",20}  {endpointId}  {eventId}  ✘ dead-lettered ({delivery.Text("deadLetterReason")}){(delivery.Text("deadLetterId") is { } dl ? $": webhooks dlq show {dl}" : "")}");
                awaited.Remove((eventId, endpointId));
            }
            else if (delivery.ValueKind == JsonValueKind.Object && delivery.Text("status") != "failed" || DateTimeOffset.UtcNow - since > DeadLetterWait)
            {
                // Sent again meanwhile, or a test (attempted once, never dead-lettered).
                s.Out.Line($"{"",20}  {endpointId}  {eventId}  {EventsCommand.State(delivery)}");
                awaited.Remove((eventId, endpointId));
            }
        }
    }

    private static string Key(JsonElement attempt) => $"{attempt.Text("deliveryId")}/{attempt.Text("number")}/{attempt.Text("at")}";
}
