using System.Text.Json;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Deliveries;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>The <c>webhooks</c> CLI, its real binary against a real Ingest, RabbitMQ and Redis.</summary>
public sealed class CliTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private Task<CliRun> Webhooks(params string[] args) => CliRun.RunAsync(system, args);

    [Fact]
    public async Task A_delivery_that_failed_into_dead_letters_is_found_inspected_and_redriven_with_the_cli_alone()
    {
        var healthy = false;
        await using var subscriber = await Subscriber.StartAsync(_ => Volatile.Read(ref healthy) ? 200 : 500);
        var added = await Webhooks("endpoints", "add", "--tenant", "cli-sre", "--endpoint-url", subscriber.Url, "--event-type", "payment.*", "--json");
        Assert.Equal(0, added.ExitCode);
        var endpointId = added.As<EndpointView>().Id;
        var sent = await Webhooks("events", "send", "--tenant", "cli-sre", "--type", "payment.failed", "--data", """{"amount":12}""", "--json");
        var eventId = sent.As<EventAccepted>().Id;

        var listed = await Eventually.HoldsAsync(() => Webhooks("dlq", "list", "--endpoint", endpointId, "--json"), r => r.ExitCode == 0 && r.As<List<DeadLetterView>>().Count == 1, "the dead letter is listed");
        var deadLetterId = listed.As<List<DeadLetterView>>()[0].Id;
        var shown = await Webhooks("dlq", "show", deadLetterId);
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("exhausted", shown.Out);
        Assert.Contains(eventId, shown.Out);
        Assert.Contains("500", shown.Out);

        Volatile.Write(ref healthy, true);
        var redriven = await Webhooks("dlq", "redrive", "--endpoint", endpointId);

        Assert.Equal(0, redriven.ExitCode);
        Assert.Contains("done: redriven 1,", redriven.Out);
        var delivered = await Eventually.HoldsAsync(() => Webhooks("events", "list", "--tenant", "cli-sre", "--status", "delivered", "--json"), r => r.ExitCode == 0 && r.As<List<EventSummary>>().Count == 1, "the redriven event is delivered");
        Assert.Equal(eventId, delivered.As<List<EventSummary>>()[0].Id);
        Assert.Empty((await Webhooks("dlq", "list", "--endpoint", endpointId, "--json")).As<List<DeadLetterView>>());
    }

    [Fact]
    public async Task Events_show_answers_whether_an_endpoint_got_an_event_when_and_with_what_answer()
    {
        await using var subscriber = await Subscriber.StartAsync(_ => new Reply(202, Body: "queued-by-receiver"));
        var (endpointId, _) = await system.CreateEndpointAsync("cli-show", subscriber.Url, ["*"], new { description = "ledger" });
        var eventId = await system.PublishAsync("cli-show", "ledger.posted");
        await subscriber.WaitForAsync(1);

        var shown = await Eventually.HoldsAsync(() => Webhooks("events", "show", eventId), r => r.Out.Contains("delivered"), "the delivery is recorded");

        Assert.Equal(0, shown.ExitCode);
        Assert.Contains($"{endpointId} ({new Uri(subscriber.Url).GetLeftPart(UriPartial.Authority)}/…, ledger): delivered, 1 attempt(s)", shown.Out);
        Assert.Contains("202", shown.Out);
        Assert.Contains("queued-by-receiver", shown.Out);
        Assert.Contains(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd"), shown.Out);
        // The trace the subscriber's request carried, to look up in the tracing backend.
        Assert.Contains(subscriber.Received.Single().Headers["traceparent"].ToString().Split('-')[1], shown.Out);
        var view = (await Webhooks("events", "show", eventId, "--json")).As<EventView>();
        Assert.Equal(202, view.Deliveries[0].Attempts[0].StatusCode);
    }

    [Fact]
    public async Task Endpoints_are_added_listed_switched_and_removed_and_removal_asks_first()
    {
        var added = (await Webhooks("endpoints", "add", "--tenant", "cli-admin", "--endpoint-url", "https://hooks.example.com/cli", "--event-type", "a.*", "--event-type", "b.c", "--json")).As<EndpointView>();
        var id = added.Id;
        Assert.StartsWith("whsec_", added.Secret);

        var listed = await Webhooks("endpoints", "list", "--tenant", "cli-admin");
        Assert.Contains(id, listed.Out);
        Assert.Contains("a.*, b.c", listed.Out);
        Assert.Contains("disabled", (await Webhooks("endpoints", "disable", id)).Out);
        Assert.False((await Webhooks("endpoints", "show", id, "--json")).As<EndpointView>().Enabled);

        var unconfirmed = await Webhooks("endpoints", "rm", id);
        Assert.Equal(4, unconfirmed.ExitCode);
        Assert.Equal(0, (await Webhooks("endpoints", "show", id)).ExitCode);
        Assert.Equal(0, (await Webhooks("endpoints", "rm", id, "--yes")).ExitCode);
        var gone = await Webhooks("endpoints", "show", id);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("404", gone.Error);
    }

    [Fact]
    public async Task Endpoint_stats_count_attempts_successes_and_latency_over_the_last_hour_day_and_week()
    {
        // The fourth webhook fails once, then its retry succeeds: five attempts, four good.
        await using var subscriber = await Subscriber.StartAsync(n => n == 3 ? 500 : 200);
        var (endpointId, _) = await system.CreateEndpointAsync("cli-stats", subscriber.Url, ["*"]);
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await system.PublishAsync("cli-stats", "meter.read", new { i }));
        }
        foreach (var id in ids)
        {
            await Eventually.HoldsAsync(() => system.GetEventAsync(id), e => e.Deliveries is [{ Status: "delivered" }], "delivered");
        }

        // Under load an attempt record may reach Redis a moment after its delivery is seen: wait for all five.
        var run = await Eventually.HoldsAsync(() => Webhooks("endpoints", "stats", endpointId, "--json"),
            r => r.ExitCode == 0 && r.As<EndpointStatsView>().LastWeek.Attempts >= 5, "the five attempts are counted");
        var stats = run.As<EndpointStatsView>();
        var table = await Webhooks("endpoints", "stats", endpointId);
        Assert.True(table.ExitCode == 0, table.Error);

        foreach (var w in new[] { stats.LastHour, stats.LastDay, stats.LastWeek })
        {
            // Four good and one failed; a redelivery under load (at least once) may add a good one.
            var (attempts, succeeded) = (w.Attempts, w.Succeeded);
            Assert.Equal((1L, attempts - 1), (w.Failed, succeeded));
            Assert.InRange(succeeded, 4, 5);
            Assert.Equal(Math.Round((double)succeeded / attempts, 4), w.SuccessRate);
            Assert.InRange(w.LatencyMs.P50!.Value, 5, 60_000);
        }
        Assert.Equal(0, stats.Pending);
        Assert.NotNull(stats.LastSuccessAt);
        Assert.NotNull(stats.LastFailureAt);
        Assert.Contains(stats.LastHour.Succeeded == 4 ? "80.0" : "83.3", table.Out);
        Assert.Contains("last week", table.Out);
    }

    [Fact]
    public async Task An_endpoint_gets_a_payload_filter_from_the_cli_which_tries_events_against_it()
    {
        var added = await Webhooks("endpoints", "add", "--tenant", "cli-filter", "--url", "http://127.0.0.1:9/hook", "--event-type", "order.*",
            "--filter", """{"data.amount": {"$gte": 100}}""", "--json");
        var id = added.As<System.Text.Json.JsonElement>().GetProperty("id").GetString()!;

        var shown = await Webhooks("endpoints", "show", id);
        var small = await Webhooks("endpoints", "filter-test", id, "--type", "order.created", "--data", """{"amount": 20}""");
        var tried = await Webhooks("endpoints", "filter-test", id, "--type", "order.created", "--data", """{"amount": 20}""", "--filter", """{"data.amount": {"$lt": 50}}""");
        var notJson = await Webhooks("endpoints", "filter-test", id, "--type", "order.created", "--filter", "{data.amount");

        Assert.Equal(0, added.ExitCode);
        Assert.Contains("\"$gte\":100", shown.Out.Replace(" ", ""));
        Assert.Equal(0, small.ExitCode);
        Assert.Matches(@"would be delivered\s+no", small.Out);
        Assert.Contains("""{"data.amount": {"$gte": 100}}""", small.Out);
        Assert.Matches(@"would be delivered\s+yes", tried.Out);
        Assert.Equal(2, notJson.ExitCode);
        Assert.Contains("--filter is not JSON", notJson.Error);
    }

    [Fact]
    public async Task Event_types_are_imported_from_an_openapi_file_listed_shown_and_exported()
    {
        var file = Path.GetTempFileName();
        var exported = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """
                {"openapi": "3.1.0", "info": {"title": "cli", "version": "1"}, "webhooks": {
                  "cli.order.placed": {"post": {"description": "An order was placed.", "x-webhooks-validation": "enforce",
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["orderId"], "properties": {"orderId": {"type": "string"}}}}}}}},
                  "cli.order.noted": {"post": {"description": "Anything goes."}}
                }}
                """);
            var imported = await Webhooks("event-types", "import", file);
            var listed = await Webhooks("event-types", "list");
            var shown = await Webhooks("event-types", "show", "cli.order.placed");
            var bare = await Webhooks("event-types", "show", "cli.order.noted");
            var export = await Webhooks("event-types", "export", "--output", exported);
            await File.WriteAllTextAsync(file, "openapi: 3.1.0");
            var yaml = await Webhooks("event-types", "import", file);
            var missing = await Webhooks("event-types", "show", "cli.order.lost");

            Assert.Equal(0, imported.ExitCode);
            Assert.Matches(@"created\s+cli\.order\.placed", imported.Out);
            Assert.Matches(@"cli\.order\.placed\W+enforce\W+yes", listed.Out);
            Assert.Matches(@"cli\.order\.noted\W+off\W+no", listed.Out);
            Assert.Equal(0, shown.ExitCode);
            Assert.Contains("An order was placed.", shown.Out);
            Assert.Equal(0, bare.ExitCode);
            Assert.DoesNotContain("Schema of data", bare.Out);
            Assert.Contains("\"orderId\"", shown.Out);
            Assert.Equal(0, export.ExitCode);
            var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(exported)).RootElement;
            Assert.Equal("enforce", document.GetProperty("webhooks").GetProperty("cli.order.placed").GetProperty("post").GetProperty("x-webhooks-validation").GetString());
            Assert.Equal(2, yaml.ExitCode);
            Assert.Contains("is not JSON", yaml.Error);
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("no event type 'cli.order.lost'", missing.Error);
        }
        finally
        {
            File.Delete(file);
            File.Delete(exported);
        }
    }

    [Fact]
    public async Task A_test_event_reaches_the_endpoint_alone_signed_and_its_answer_is_shown()
    {
        await using var tested = await Subscriber.StartAsync(_ => new Reply(201, Body: "hello from the receiver"));
        await using var sibling = await Subscriber.StartAsync();
        var (endpointId, secret) = await system.CreateEndpointAsync("cli-test", tested.Url, ["order.*"]);
        await system.CreateEndpointAsync("cli-test", sibling.Url, ["*"]);

        var run = await Webhooks("endpoints", "test", endpointId, "--type", "order.created", "--data", """{"orderId":"t-1"}""");
        var result = (await Webhooks("endpoints", "test", endpointId, "--json")).As<TestEventResult>();

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("201", run.Out);
        Assert.Contains("hello from the receiver", run.Out);
        Assert.Equal(201, result.Attempt?.StatusCode);
        Assert.Equal(2, tested.Received.Count);
        Assert.All(tested.Received, r => Assert.True(r.VerifiesWith(secret)));
        Assert.Equal(["order.created", "webhooks.test"], tested.Received.Select(r => r.Json.GetProperty("type").GetString()));
        Assert.Equal("t-1", tested.Received.First().Json.GetProperty("data").GetProperty("orderId").GetString());
        Assert.Empty(sibling.Received);
    }

    [Fact]
    public async Task Deliveries_tail_prints_the_attempts_that_happen_while_it_runs_and_not_the_older_ones()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("cli-tail", subscriber.Url, ["*"]);
        var old = await system.PublishAsync("cli-tail", "tail.old");
        await subscriber.WaitForAsync(1);
        await Eventually.HoldsAsync(() => system.GetEventAsync(old), e => e.Deliveries[0].AttemptCount == 1, "recorded");

        var following = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tailing = CliRun.RunAsync(system, ["deliveries", "tail", "--tenant", "cli-tail", "--for", "00:00:10", "--json"], errorLine: "Following 1 endpoint(s)", printed: following);
        // Once it says it follows, it has taken its first look: what is published now is news to it.
        await following.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var fresh = await system.PublishAsync("cli-tail", "tail.new");
        var run = await tailing;

        Assert.Equal(0, run.ExitCode);
        var printed = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<AttemptView>(l, JsonSerializerOptions.Web)!.EventId).ToList();
        Assert.Equal([fresh], printed);
    }

    [Fact]
    public async Task Recover_takes_a_window_and_says_why_it_refuses()
    {
        var (endpointId, _) = await system.CreateEndpointAsync("cli-recover", "https://hooks.example.com/r", ["*"]);
        await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null);

        var withoutWindow = await Webhooks("recover", "--endpoint", endpointId);
        var disabled = await Webhooks("recover", "--endpoint", endpointId, "--since", "2026-01-01T00:00:00Z");
        await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/enable", null);
        var nothing = await Webhooks("recover", "--endpoint", endpointId, "--since", "2026-01-01T00:00:00Z");

        Assert.Equal((2, 1, 0), (withoutWindow.ExitCode, disabled.ExitCode, nothing.ExitCode));
        Assert.Contains("--since", withoutWindow.Error);
        Assert.Contains("disabled", disabled.Error);
        Assert.Contains("done: redriven 0, resent 0", nothing.Out);
    }

    [Fact]
    public async Task A_bad_key_an_unreachable_url_or_a_bad_command_line_is_one_line_and_a_non_zero_exit()
    {
        var badKey = await CliRun.RunAsync(system, ["dlq", "list"], key: "whk_not_a_key");
        var unreachable = await CliRun.RunAsync(system, ["dlq", "list"], url: "http://127.0.0.1:1/");
        var badCommand = await Webhooks("dlq", "lst");
        var badQuery = await Webhooks("events", "list", "--tenant", "cli-bad", "--status", "lost");

        Assert.Equal((1, 3, 2, 1), (badKey.ExitCode, unreachable.ExitCode, badCommand.ExitCode, badQuery.ExitCode));
        Assert.Contains("API key was refused", badKey.Error);
        Assert.Contains("cannot reach Ingest", unreachable.Error);
        Assert.Contains("status is one of", badQuery.Error);
        Assert.All(new[] { badKey, unreachable, badQuery }, r => Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
