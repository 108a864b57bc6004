using System.CommandLine;
using System.Text.Json;
using Webhooks.Cli.Endpoints;
using Webhooks.Cli.Jobs;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.Events;

/// <summary><c>webhooks events …</c> (send, list, show) and <c>webhooks resend</c>.</summary>
public static class EventsCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "the event's id (evt_…)" };
        var tenant = new Option<string?>("--tenant") { Description = "the tenant" };
        var type = new Option<string?>("--type") { Description = "the event type" };
        var typeFilter = new Option<string?>("--type") { Description = "the event type, or a wildcard such as 'order.*'" };
        var operational = new Option<bool>("--operational") { Description = "include the platform's own events (webhooks.*), hidden otherwise" };
        var status = new Option<string?>("--status") { Description = "pending, delivered, failing, dead_lettered or no_endpoints" };
        var since = TimeOption("--since", "received at or after");
        var until = TimeOption("--until", "received before");
        var data = new Option<string?>("--data") { Description = "the event's data, a JSON object" };
        var limit = new Option<int>("--limit") { Description = "list at most this many, following the pages", DefaultValueFactory = _ => 50 };
        var after = new Option<string?>("--after") { Description = "go on after a list's end (the cursor it printed)" };

        var send = new Command("send", "publish an event").With(tenant, type, data).Runs(async s =>
        {
            JsonElement? payload = null;
            if (s.Get(data) is { } text)
            {
                try
                {
                    payload = JsonDocument.Parse(text).RootElement;
                }
                catch (JsonException e)
                {
                    throw new Api.CliFailure(Api.ExitCodes.Usage, $"--data is not JSON: {e.Message}");
                }
            }
            var accepted = await s.Api.PostAsync("/v1/events", new { tenant = s.Get(tenant), type = s.Get(type), data = payload }, s.Cancellation);
            s.Out.Show(accepted, () => s.Out.Line($"Accepted {accepted.Text("id")}."));
            return 0;
        });
        var list = new Command("list", "a tenant's events, newest first (not the platform's own webhooks.* unless --operational)").With(tenant, typeFilter, operational, status, since, until, limit, after).Runs(async s =>
        {
            // '*' is every type but the platform's: what a tenant's own events are.
            var types = s.Get(typeFilter) ?? (s.Get(operational) ? null : "*");
            var query = Query(("tenant", s.Get(tenant)), ("type", types), ("status", s.Get(status)), ("since", s.Get(since)?.ToString("O")), ("until", s.Get(until)?.ToString("O")));
            var (events, next) = await s.Api.PageAsync($"/v1/events?{query}", s.Get(limit), s.Get(after), s.Cancellation);
            s.Out.Show(events, () => s.Out.Table(["id", "type", "received", "status"], events.Select(e => new[] { e.Text("id"), e.Text("type"), e.Time("receivedAt"), e.Text("status") }), "No events."));
            if (next is not null)
            {
                // With --json on stderr: stdout stays the list.
                (s.Out.Json ? Console.Error : Console.Out).WriteLine($"More: add --after {next}");
            }
            return 0;
        });
        var show = new Command("show", "an event and, per endpoint, whether it got it: each attempt with its time and answer").With(id).Runs(async s =>
        {
            var shown = await s.Api.GetAsync($"/v1/events/{Uri.EscapeDataString(s.Get(id)!)}", s.Cancellation);
            s.Out.Show(shown, () => Describe(s.Out, shown));
            return 0;
        });
        return new Command("events", "events and their deliveries").With(send, list, show);
    }

    public static Command Resend()
    {
        var id = new Argument<string>("event") { Description = "the event's id (evt_…)" };
        var endpoint = new Option<string>("--endpoint") { Description = "the endpoint to send it to (ep_…)", Required = true };
        return new Command("resend", "send an event to an endpoint once more (same webhook-id)").With(id, endpoint).Runs(async s =>
        {
            var resent = await s.Api.PostAsync($"/v1/events/{Uri.EscapeDataString(s.Get(id)!)}/endpoints/{Uri.EscapeDataString(s.Get(endpoint)!)}/resend", null, s.Cancellation);
            s.Out.Show(resent, () => s.Out.Line($"Resending {s.Get(id)} to {s.Get(endpoint)}: attempt {resent.Text("attempt")} of delivery {resent.Text("deliveryId")}."));
            return 0;
        });
    }

    public static Command Recover()
    {
        var endpoint = new Option<string>("--endpoint") { Description = "the endpoint (ep_…)", Required = true };
        var since = TimeOption("--since", "the window's start", required: true);
        var until = TimeOption("--until", "the window's end (now when left out)");
        return new Command("recover", "deliver again every delivery to an endpoint that failed in a window (as a job)").With(endpoint, since, until)
            .Runs(s => JobProgress.RunAsync(s, new { kind = "recover", endpointId = s.Get(endpoint), since = s.Get(since), until = s.Get(until) }));
    }

    public static Command Replay()
    {
        var endpoint = new Option<string>("--endpoint") { Description = "the endpoint (ep_…)", Required = true };
        var since = TimeOption("--since", "the window's start", required: true);
        var until = TimeOption("--until", "the window's end (now when left out)");
        return new Command("replay", "deliver to an endpoint the events of its types it never received in a window (as a job)").With(endpoint, since, until)
            .Runs(s => JobProgress.RunAsync(s, new { kind = "replay", endpointId = s.Get(endpoint), since = s.Get(since), until = s.Get(until) }));
    }

    /// <summary>
    /// Where a delivery stands, in words: delivered; retrying (attempt 2 of 5, next at …); failed for good (no attempt
    /// follows: a test, or its dead letter purged); dead-lettered (reason), or pending.
    /// </summary>
    public static string State(JsonElement d)
    {
        var status = d.Text("status");
        var attempts = int.TryParse(d.Text("attemptCount"), out var n) ? n : 0;
        return status switch
        {
            "delivered" => $"delivered, {attempts} attempt(s)",
            "failed" when d.Time("nextAttemptAt") is { } next =>
                $"retrying (attempt {attempts + 1}{(d.Text("finalAttempt") is { } final ? $" of {final}" : "")}, next at {next})",
            "failed" => $"failed for good after {attempts} attempt(s): no attempt follows",
            "dead_lettered" => $"dead-lettered ({d.Text("deadLetterReason") ?? "?"}) after {attempts} attempt(s){(d.Text("deadLetterId") is { } dl ? $": webhooks dlq show {dl}" : d.Text("purged") == "true" ? ", its dead letter purged: webhooks recover or replay sends it again" : "")}",
            _ => attempts == 0 ? "pending: not attempted yet" : $"pending: sent again after {attempts} attempt(s)",
        };
    }

    private static void Describe(Printer output, JsonElement e)
    {
        output.Fields(("id", e.Text("id")), ("type", e.Text("type")), ("tenant", e.Text("tenant")), ("occurred", e.Time("occurredAt")), ("received", e.Time("receivedAt")), ("resource", e.Text("resource")),
            ("test", e.Text("test") == "true" ? "yes: an example sent by endpoints test, attempted once" : null));
        var deliveries = e.GetProperty("deliveries").EnumerateArray().ToList();
        if (deliveries.Count == 0)
        {
            output.Line("No deliveries (yet): no endpoint of the tenant subscribes to this type, or fan-out has not run.");
        }
        foreach (var d in deliveries)
        {
            var endpoint = d.TryGetProperty("endpoint", out var ep) && ep.ValueKind == JsonValueKind.Object ? $" ({ep.Text("url")}{(ep.Text("description") is { } desc ? $", {desc}" : "")})" : " (deleted)";
            output.Heading($"{d.Text("endpointId")}{endpoint}: {State(d)}");
            EndpointsCommand.AttemptsTable(output, d.GetProperty("attempts").EnumerateArray());
        }
        if (e.Text("nextAfter") is { } next)
        {
            output.Line($"More deliveries: GET /v1/events/{e.Text("id")}?after={next}");
        }
    }
}
