using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.DeadLetters;

/// <summary><c>webhooks dlq …</c>: list, show, redrive, purge.</summary>
public static class DlqCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "the dead letter's id (dl_…)" };
        var endpoint = new Option<string?>("--endpoint") { Description = "of this endpoint" };
        var tenant = new Option<string?>("--tenant") { Description = "of this tenant" };
        var reason = new Option<string?>("--reason") { Description = "exhausted, endpoint_disabled, endpoint_deleted, blocked_destination, …" };
        var since = new Option<DateTimeOffset?>("--since") { Description = "dead-lettered at or after (ISO 8601)" };
        var until = new Option<DateTimeOffset?>("--until") { Description = "dead-lettered before (ISO 8601)" };
        var limit = new Option<int>("--limit") { Description = "list at most this many", DefaultValueFactory = _ => 50 };
        var yes = YesOption();
        Symbol[] filters = [endpoint, tenant, reason, since, until];
        string Filter(Session s) => Query(("endpointId", s.Get(endpoint)), ("tenant", s.Get(tenant)), ("reason", s.Get(reason)), ("since", s.Get(since)?.ToString("O")), ("until", s.Get(until)?.ToString("O")));

        var list = new Command("list", "dead letters, newest first").With([.. filters, limit]).Runs(async s =>
        {
            var deadLetters = await s.Api.ListAsync($"/v1/dead-letters?{Filter(s)}", s.Get(limit), s.Cancellation);
            s.Out.Show(deadLetters, () => s.Out.Table(["id", "at", "reason", "tenant", "endpoint", "event", "type"],
                deadLetters.Select(d => new[] { d.Text("id"), d.Time("deadLetteredAt"), d.Text("reason"), d.Text("tenant"), d.Text("endpointId"), d.Text("eventId"), d.Text("eventType") }), "No dead letters."));
            return 0;
        });
        var show = new Command("show", "one dead letter: why, its last attempt, what would be redriven").With(id).Runs(async s =>
        {
            var d = await s.Api.GetAsync($"/v1/dead-letters/{Uri.EscapeDataString(s.Get(id)!)}", s.Cancellation);
            s.Out.Show(d, () =>
            {
                var last = d.TryGetProperty("lastAttempt", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
                s.Out.Fields(("id", d.Text("id")), ("reason", d.Text("reason")), ("detail", d.Text("detail")), ("dead-lettered", d.Time("deadLetteredAt")),
                    ("tenant", d.Text("tenant")), ("endpoint", d.Text("endpointId")), ("event", d.Text("eventId")), ("type", d.Text("eventType")),
                    ("last attempt", last.ValueKind == JsonValueKind.Object ? $"#{last.Text("number")} at {last.Time("at")}: {last.Text("statusCode") ?? last.Text("error")}{(last.Text("errorDetail") is { } why ? $" ({why})" : "")}" : null));
            });
            return 0;
        });
        var redrive = new Command("redrive", "deliver the matching dead letters again (all pages)").With(filters).Runs(s => BulkAsync(s, "POST", "redrive", Filter(s), "redriven"));
        var purge = new Command("purge", "forget the matching dead letters (all pages)").With([.. filters, yes]).Runs(async s =>
        {
            var filter = Filter(s);
            if (!s.Confirmed(yes, $"Purge every dead letter{(filter.Length == 0 ? "" : $" matching {filter}")}? They cannot be redriven afterwards."))
            {
                return Api.ExitCodes.NotConfirmed;
            }
            return await BulkAsync(s, "DELETE", "", filter, "purged");
        });
        return new Command("dlq", "dead letters: what could not be delivered, and why").With(list, show, redrive, purge);
    }

    /// <summary>Runs a redrive or purge page after page until the API says it reached the end, showing progress.</summary>
    private static async Task<int> BulkAsync(Session s, string method, string action, string filter, string counted)
    {
        var total = 0;
        var notRedrivable = 0;
        var pages = 0;
        string? after = null;
        async Task RunAsync(Action<int>? progress)
        {
            do
            {
                var query = string.Join("&", new[] { filter, after is null ? "" : $"after={Uri.EscapeDataString(after)}" }.Where(q => q.Length > 0));
                var path = $"/v1/dead-letters{(action.Length > 0 ? "/" + action : "")}{(query.Length > 0 ? "?" + query : "")}";
                var result = method == "POST" ? await s.Api.PostAsync(path, null, s.Cancellation) : await s.Api.DeleteAsync(path, s.Cancellation);
                total += result.GetProperty(counted).GetInt32();
                notRedrivable += result.TryGetProperty("notRedrivable", out var n) ? n.GetInt32() : 0;
                after = result.Text("nextAfter");
                pages++;
                progress?.Invoke(total);
            }
            while (after is not null);
        }
        if (s.Out.Json || Console.IsOutputRedirected)
        {
            await RunAsync(null);
        }
        else
        {
            await AnsiConsole.Status().StartAsync($"{counted}…", async context => await RunAsync(n => context.Status($"{counted} {n} so far")));
        }
        s.Out.Show(new Dictionary<string, int> { [counted] = total, ["notRedrivable"] = notRedrivable, ["pages"] = pages },
            () => s.Out.Line($"{char.ToUpperInvariant(counted[0])}{counted[1..]} {total} dead letter(s){(notRedrivable > 0 ? $"; {notRedrivable} cannot be redriven (their event is invalid) and stay" : "")}."));
        return 0;
    }
}
