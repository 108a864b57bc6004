using System.CommandLine;
using System.Text.Json;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.Endpoints;

/// <summary><c>webhooks endpoints …</c>: add, list, show, update, rm, enable, disable, rotate.</summary>
public static class EndpointsCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "the endpoint's id (ep_…)" };
        var tenant = new Option<string?>("--tenant") { Description = "the tenant" };
        // The endpoint's URL is --url (what users type first); --endpoint-url, its name before, still works. Ingest's is --ingest.
        var url = new Option<string?>("--url", "--endpoint-url") { Description = "where to deliver (the endpoint's URL)" };
        var types = new Option<string[]>("--event-type") { Description = "an event type or wildcard to subscribe to (repeat it; '*' for all)" };
        var description = new Option<string?>("--description") { Description = "what the endpoint is" };
        var maxInFlight = new Option<int?>("--max-in-flight") { Description = "requests in flight to it at most, across dispatchers (16 when not set)" };
        var rateLimit = new Option<double?>("--rate-limit") { Description = "requests a second at most, across dispatchers" };
        var burst = new Option<int?>("--burst") { Description = "with --rate-limit: how many may go at once (1 when not set)" };
        var timeout = new Option<int?>("--timeout") { Description = "seconds to wait for its answer (1–60; 15 when not set)" };
        var payload = new Option<string?>("--payload") { Description = "full (the event's data in the body) or thin (a signed link to fetch it)" };
        var headers = new Option<string[]>("--header") { Description = "a header sent with every webhook, NAME=VALUE (repeat it; on update, the whole set)" };
        var filter = new Option<string?>("--filter") { Description = "a payload filter, JSON, such as '{\"data.amount\": {\"$gte\": 100}}' (on update, '{}' removes it)" };
        var limit = new Option<int>("--limit") { Description = "list at most this many", DefaultValueFactory = _ => 50 };
        var yes = YesOption();
        Symbol[] settings = [url, types, description, maxInFlight, rateLimit, burst, timeout, payload, headers, filter];

        // The fields given, as the API names them (only those: an update changes nothing else).
        Dictionary<string, object?> Fields(Session s)
        {
            var fields = new Dictionary<string, object?>();
            void Set(string name, object? value)
            {
                if (value is not null)
                {
                    fields[name] = value;
                }
            }
            Set("url", s.Get(url));
            Set("eventTypes", s.Get(types) is { Length: > 0 } t ? t : null);
            Set("description", s.Get(description));
            Set("maxInFlight", s.Get(maxInFlight));
            Set("timeoutSeconds", s.Get(timeout));
            Set("payload", s.Get(payload));
            Set("filter", JsonOption("--filter", s.Get(filter)));
            if (s.Get(burst) is not null && s.Get(rateLimit) is null)
            {
                throw new Api.CliFailure(Api.ExitCodes.Usage, "--burst goes with --rate-limit (requests a second).");
            }
            Set("rateLimit", s.Get(rateLimit) is { } perSecond ? new { perSecond, burst = s.Get(burst) } : null);
            if (s.Get(headers) is { Length: > 0 } given)
            {
                fields["headers"] = given.Select(h => h.Split('=', 2) is [var name, var value] && name.Length > 0 ? (name, value)
                    : throw new Api.CliFailure(Api.ExitCodes.Usage, $"--header takes NAME=VALUE, not '{h}'.")).ToDictionary(h => h.name, h => h.value);
            }
            return fields;
        }

        var add = new Command("add", "subscribe a URL to event types").With([tenant, .. settings]).Runs(async s =>
        {
            var fields = Fields(s);
            fields["tenant"] = s.Get(tenant);
            var created = await s.Api.PostAsync("/v1/endpoints", fields, s.Cancellation);
            s.Out.Show(created, () =>
            {
                Describe(s.Out, created);
                s.Out.Line($"Signing secret (shown this once): {created.Text("secret")}");
            });
            return 0;
        });
        var list = new Command("list", "the endpoints, oldest first").With(tenant, limit).Runs(async s =>
        {
            var endpoints = await s.Api.ListAsync($"/v1/endpoints?{Query(("tenant", s.Get(tenant)))}", s.Get(limit), s.Cancellation);
            s.Out.Show(endpoints, () => s.Out.Table(["id", "tenant", "url", "event types", "enabled", "description"],
                endpoints.Select(e => new[] { e.Text("id"), e.Text("tenant"), e.Text("url"), e.Text("eventTypes"), e.Text("enabled"), e.Text("description") }), "No endpoints."));
            return 0;
        });
        var show = new Command("show", "one endpoint and its latest attempts").With(id).Runs(async s =>
        {
            var endpoint = await s.Api.GetAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}", s.Cancellation);
            var attempts = await s.Api.GetAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}/attempts?limit=10", s.Cancellation);
            s.Out.Show(endpoint, () =>
            {
                Describe(s.Out, endpoint);
                s.Out.Heading("Latest attempts");
                AttemptsTable(s.Out, attempts.GetProperty("data").EnumerateArray());
            });
            return 0;
        });
        var update = new Command("update", "change the given fields").With([id, .. settings]).Runs(async s =>
        {
            var change = Fields(s);
            if (change.Count == 0)
            {
                throw new Api.CliFailure(Api.ExitCodes.Usage, "name at least one field to change (webhooks endpoints update --help lists them).");
            }
            var changed = await s.Api.PatchAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}", change, s.Cancellation);
            s.Out.Show(changed, () => Describe(s.Out, changed));
            return 0;
        });
        var remove = new Command("rm", "delete an endpoint (its attempt log goes with it)").With(id, yes).Runs(async s =>
        {
            if (!s.Confirmed(yes, $"Delete endpoint {s.Get(id)}?"))
            {
                return Api.ExitCodes.NotConfirmed;
            }
            await s.Api.DeleteAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}", s.Cancellation);
            s.Out.Show(new { deleted = s.Get(id) }, () => s.Out.Line($"Deleted {s.Get(id)}."));
            return 0;
        });
        Command Switch(string name, string what) => new Command(name, what).With(id).Runs(async s =>
        {
            var changed = await s.Api.PostAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}/{name}", null, s.Cancellation);
            s.Out.Show(changed, () => s.Out.Line($"{changed.Text("id")} is {(changed.GetProperty("enabled").GetBoolean() ? "enabled" : "disabled")}."));
            return 0;
        });
        var rotate = new Command("rotate", "a new signing secret; the old one signs for 24 h more").With(id).Runs(async s =>
        {
            var rotated = await s.Api.PostAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}/secret/rotate", null, s.Cancellation);
            s.Out.Show(rotated, () => s.Out.Fields(("secret", rotated.Text("secret")), ("previous secret", rotated.Text("previousSecret")), ("previous signs until", rotated.Time("previousSecretExpiresAt"))));
            return 0;
        });
        var testType = new Option<string?>("--type") { Description = "the example event's type (webhooks.test when left out)" };
        var testData = new Option<string?>("--data") { Description = "its data, a JSON object (an example when left out)" };
        var test = new Command("test", "send a signed example event to this endpoint alone and show its answer").With(id, testType, testData).Runs(async s =>
        {
            var data = JsonOption("--data", s.Get(testData));
            var result = await s.Api.PostAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}/test", new { type = s.Get(testType), data }, s.Cancellation);
            s.Out.Show(result, () =>
            {
                // A test is attempted once: never retried nor dead-lettered, and not listed among the tenant's events.
                if (result.TryGetProperty("attempt", out var attempt) && attempt.ValueKind == JsonValueKind.Object)
                {
                    s.Out.Line($"Sent test event {result.Text("eventId")} (attempted once, never retried); the endpoint answered:");
                    AttemptsTable(s.Out, [attempt]);
                }
                else
                {
                    s.Out.Line($"Sent test event {result.Text("eventId")} (attempted once, never retried); no answer yet: webhooks events show {result.Text("eventId")}");
                }
            });
            return 0;
        });
        var eventId = new Option<string?>("--event") { Description = "a stored event of the endpoint's tenant (evt_…)" };
        var filterTest = new Command("filter-test", "would this event be delivered to the endpoint? with its filter, or with --filter before saving one")
            .With(id, eventId, testType, testData, filter).Runs(async s =>
        {
            var result = await s.Api.PostAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}/filter/test",
                new { eventId = s.Get(eventId), type = s.Get(testType), data = JsonOption("--data", s.Get(testData)), filter = JsonOption("--filter", s.Get(filter)) }, s.Cancellation);
            s.Out.Show(result, () => s.Out.Fields(("would be delivered", result.GetProperty("matches").GetBoolean() ? "yes" : "no"), ("why", result.Text("reason")), ("clause", result.Text("clause"))));
            return 0;
        });
        var stats = new Command("stats", "success rate and latency over the last hour, day and week, failures by kind; the last success and failure").With(id).Runs(async s =>
        {
            var read = await s.Api.GetAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}/stats", s.Cancellation);
            var endpoint = s.Out.Json ? default : await s.Api.GetAsync($"/v1/endpoints/{Uri.EscapeDataString(s.Get(id)!)}", s.Cancellation);
            s.Out.Show(read, () =>
            {
                s.Out.Fields(("endpoint", s.Get(id)), ("url", endpoint.Text("url")), ("enabled", endpoint.Text("enabled")));
                s.Out.Table(["window", "attempts", "succeeded", "failed", "success rate", "p50 ms", "p90 ms", "p99 ms", "data fetches"],
                    new[] { ("last hour", "lastHour"), ("last day", "lastDay"), ("last week", "lastWeek") }.Select(w =>
                    {
                        var window = read.GetProperty(w.Item2);
                        var latency = window.GetProperty("latencyMs");
                        var rate = window.Text("successRate") is { } r ? $"{double.Parse(r, System.Globalization.CultureInfo.InvariantCulture):P1}" : null;
                        return new[] { w.Item1, window.Text("attempts"), window.Text("succeeded"), window.Text("failed"), rate, Under(latency.Text("p50")), Under(latency.Text("p90")), Under(latency.Text("p99")), window.Text("dataFetches") };
                    }));
                s.Out.Heading("Failures by kind");
                var kinds = new[] { ("last hour", "lastHour"), ("last day", "lastDay"), ("last week", "lastWeek") }
                    .SelectMany(w => read.GetProperty(w.Item2).TryGetProperty("failuresByKind", out var f) && f.ValueKind == JsonValueKind.Object
                        ? f.EnumerateObject().Select(k => (Window: w.Item1, Kind: k.Name, Count: k.Value.GetInt64())) : [])
                    .GroupBy(k => k.Kind).Select(g => new[] { g.Key, Count(g, "last hour"), Count(g, "last day"), Count(g, "last week") });
                s.Out.Table(["answer or error", "last hour", "last day", "last week"], kinds, "No failures this week.");
                s.Out.Fields(("pending now", read.Text("pending")), ("last success", read.Time("lastSuccessAt")), ("last failure", read.Time("lastFailureAt")));
            });
            return 0;
        });
        return new Command("endpoints", "the endpoints events are delivered to").With(add, list, show, update, remove, Switch("enable", "switch deliveries on"), Switch("disable", "switch deliveries off"), rotate, stats, test, filterTest);
    }

    private static string Count(IEnumerable<(string Window, string Kind, long Count)> kind, string window) =>
        kind.Where(k => k.Window == window).Sum(k => k.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Describe(Printer output, JsonElement e) => output.Fields(
        ("id", e.Text("id")), ("tenant", e.Text("tenant")), ("url", e.Text("url")), ("event types", e.Text("eventTypes")), ("description", e.Text("description")),
        ("enabled", e.Text("enabled")), ("rate limit", e.TryGetProperty("rateLimit", out var r) && r.ValueKind == JsonValueKind.Object ? $"{r.Text("perSecond")}/s, burst {r.Text("burst") ?? "1"}" : null),
        ("max in flight", e.Text("maxInFlight")), ("timeout", e.Text("timeoutSeconds") is { } t ? $"{t} s" : null),
        ("headers", e.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object ? string.Join(", ", h.EnumerateObject().Select(p => p.Name)) : null),
        ("payload", e.Text("payload")), ("filter", e.TryGetProperty("filter", out var f) && f.ValueKind == JsonValueKind.Object ? f.GetRawText() : null), ("created", e.Time("createdAt")), ("updated", e.Time("updatedAt")));

    /// <summary>Attempts as a table: when, which event, the answer (status or error), how long, its trace (to look up in the tracing backend).</summary>
    public static void AttemptsTable(Printer output, IEnumerable<JsonElement> attempts) => output.Table(["at", "event", "attempt", "answer", "ms", "trace", "response"],
        attempts.Select(a => new[] { a.Time("at"), a.Text("eventId"), a.Text("number"), a.Text("statusCode") ?? (a.Text("errorDetail") is { } why ? $"{a.Text("error")} ({why})" : a.Text("error")), a.Text("durationMs") is { } ms ? $"{double.Parse(ms, System.Globalization.CultureInfo.InvariantCulture):0}" : null, a.Text("traceId"), Short(a.Text("responseBody")) }),
        "No attempts yet.");

    private static string? Under(string? boundMs) => boundMs is null ? null : $"≤ {boundMs}";

    private static string? Short(string? text) => text is null ? null : text.Length <= 60 ? text.ReplaceLineEndings(" ") : text[..60].ReplaceLineEndings(" ") + "…";
}
