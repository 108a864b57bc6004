using System.CommandLine;
using System.Text.Json;
using Webhooks.Cli.Jobs;
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
        var since = TimeOption("--since", "dead-lettered at or after");
        var until = TimeOption("--until", "dead-lettered before");
        var limit = new Option<int>("--limit") { Description = "list at most this many", DefaultValueFactory = _ => 50 };
        var yes = YesOption();
        Symbol[] filters = [endpoint, tenant, reason, since, until];
        string Filter(Session s) => Query(("endpointId", s.Get(endpoint)), ("tenant", s.Get(tenant)), ("reason", s.Get(reason)), ("since", s.Get(since)?.ToString("O")), ("until", s.Get(until)?.ToString("O")));

        var list = new Command("list", "dead letters, newest first").With([.. filters, limit]).Runs(async s =>
        {
            var deadLetters = await s.Api.ListAsync($"/v1/dead-letters?{Filter(s)}", s.Get(limit), s.Cancellation);
            s.Out.Show(deadLetters, () => s.Out.Table(["id", "at", "reason", "last answer", "tenant", "endpoint", "event", "type"],
                deadLetters.Select(d => new[] { d.Text("id"), d.Time("deadLetteredAt"), d.Text("reason"), LastAnswer(d), d.Text("tenant"), d.Text("endpointId"), d.Text("eventId"), d.Text("eventType") }), "No dead letters."));
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
                    ("last attempt", last.ValueKind == JsonValueKind.Object ? $"#{last.Text("number")} at {last.Time("at")}: {last.Text("statusCode") ?? last.Text("error")}{(last.Text("errorDetail") is { } why ? $" ({why})" : "")}" : "none (not attempted)"),
                    ("trace", last.ValueKind == JsonValueKind.Object ? last.Text("traceId") : null));
            });
            return 0;
        });
        object Job(Session s, string kind) => new { kind, endpointId = s.Get(endpoint), tenant = s.Get(tenant), reason = s.Get(reason), since = s.Get(since), until = s.Get(until) };
        var redrive = new Command("redrive", "deliver the matching dead letters again (every page, as a job)").With(filters).Runs(s => JobProgress.RunAsync(s, Job(s, "redrive")));
        var purge = new Command("purge", "forget the matching dead letters (every page, as a job)").With([.. filters, yes]).Runs(async s =>
        {
            if (!s.Get(yes))
            {
                // Said as it was typed, with how many it would take now.
                var described = string.Join(", ", new (string Name, string? Value)[]
                {
                    ("endpoint", s.Get(endpoint)), ("tenant", s.Get(tenant)), ("reason", s.Get(reason)),
                    ("since", s.Get(since)?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'")), ("until", s.Get(until)?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'")),
                }.Where(f => f.Value is not null).Select(f => $"{f.Name} {f.Value}"));
                var (found, more) = await s.Api.PageAsync($"/v1/dead-letters?{Filter(s)}", CountedAtMost, null, s.Cancellation);
                var count = more is null ? $"{found.Count}" : $"more than {CountedAtMost}";
                var question = $"Purge {count} dead letter(s){(described.Length == 0 ? " (every tenant's: no filter)" : $" of {described}")}? Recover or replay can still send their deliveries again; the dead letters themselves are gone.";
                if (!s.Confirmed(yes, question))
                {
                    return Api.ExitCodes.NotConfirmed;
                }
            }
            return await JobProgress.RunAsync(s, Job(s, "purge"));
        });
        return new Command("dlq", "dead letters: what could not be delivered, and why").With(list, show, redrive, purge);
    }

    /// <summary>How many matching dead letters a purge counts before it asks.</summary>
    private const int CountedAtMost = 10_000;

    /// <summary>The last answer before the dead letter: a status, or the error below HTTP.</summary>
    private static string? LastAnswer(JsonElement d) =>
        d.TryGetProperty("lastAttempt", out var last) && last.ValueKind == JsonValueKind.Object ? last.Text("statusCode") ?? last.Text("error") : "not attempted";
}
