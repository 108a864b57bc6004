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
        object Job(Session s, string kind) => new { kind, endpointId = s.Get(endpoint), tenant = s.Get(tenant), reason = s.Get(reason), since = s.Get(since), until = s.Get(until) };
        var redrive = new Command("redrive", "deliver the matching dead letters again (every page, as a job)").With(filters).Runs(s => JobProgress.RunAsync(s, Job(s, "redrive")));
        var purge = new Command("purge", "forget the matching dead letters (every page, as a job)").With([.. filters, yes]).Runs(async s =>
        {
            var filter = Filter(s);
            if (!s.Confirmed(yes, $"Purge every dead letter{(filter.Length == 0 ? "" : $" matching {filter}")}? They cannot be redriven afterwards."))
            {
                return Api.ExitCodes.NotConfirmed;
            }
            return await JobProgress.RunAsync(s, Job(s, "purge"));
        });
        return new Command("dlq", "dead letters: what could not be delivered, and why").With(list, show, redrive, purge);
    }
}
