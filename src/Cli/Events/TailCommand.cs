using System.CommandLine;
using System.Text.Json;
using Webhooks.Cli.Endpoints;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.Events;

/// <summary><c>webhooks deliveries tail</c>: attempts as they happen, for some endpoints or a whole tenant.</summary>
public static class TailCommand
{
    public static Command Create()
    {
        var endpoints = new Option<string[]>("--endpoint") { Description = "an endpoint to follow (repeat it)" };
        var tenant = new Option<string?>("--tenant") { Description = "follow every endpoint of this tenant" };
        var duration = new Option<TimeSpan?>("--for") { Description = "stop after this long (00:05:00); else at Ctrl-C" };
        var tail = new Command("tail", "print delivery attempts as they happen").With(endpoints, tenant, duration).Runs(async s =>
        {
            var ids = s.Get(endpoints)?.ToList() ?? [];
            if (s.Get(tenant) is { } t)
            {
                ids.AddRange((await s.Api.ListAsync($"/v1/endpoints?{Query(("tenant", t))}", 10_000, s.Cancellation)).Select(e => e.Text("id")!));
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
                            s.Out.Line($"{attempt.Time("at")}  {id}  {attempt.Text("eventId")}  #{attempt.Text("number")}  {attempt.Text("statusCode") ?? attempt.Text("error")}  {attempt.Text("durationMs")} ms  trace {attempt.Text("traceId") ?? "-"}");
                        }
                    }
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

    private static string Key(JsonElement attempt) => $"{attempt.Text("deliveryId")}/{attempt.Text("number")}/{attempt.Text("at")}";
}
