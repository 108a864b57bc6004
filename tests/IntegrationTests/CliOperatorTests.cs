using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Webhooks.Core.Events;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Jobs;
using Webhooks.Ingest.Quotas;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>The CLI as an SRE uses it, the real binary against a real Ingest: where its key goes, what it never prints, one line for each failure.</summary>
public sealed class CliOperatorTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private Task<CliRun> Webhooks(params string[] args) => CliRun.RunAsync(system, args);

    private static void OneLine(CliRun run, int exitCode, string says)
    {
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}, not {exitCode}: {run.Out}{run.Error}");
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(says, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task Endpoints_add_takes_the_endpoints_url_as_url_and_the_key_never_goes_to_the_subscriber()
    {
        await using var subscriber = await Subscriber.StartAsync();

        var added = await Webhooks("endpoints", "add", "--tenant", "cli-url", "--url", subscriber.Url, "--event-type", "*", "--json");

        Assert.Equal(0, added.ExitCode);
        Assert.Equal(subscriber.Url, added.As<EndpointView>().Url);
        Assert.Empty(subscriber.Received);
        // Ingest's address has a name of its own: pointed at the subscriber, the key goes nowhere but a refusal follows.
        var misdirected = await Webhooks("endpoints", "list", "--ingest", subscriber.Url);
        OneLine(misdirected, 3, "is --ingest (or WEBHOOKS_URL) Ingest's address?");
        Assert.DoesNotContain(system.AdminKey, misdirected.Out + misdirected.Error);
    }

    [Fact]
    public async Task No_help_output_or_error_shows_the_key_or_a_urls_password()
    {
        var help = await Webhooks("--help");
        var subHelp = await Webhooks("dlq", "list", "--help");
        var unreachable = await CliRun.RunAsync(system, ["dlq", "list"], url: "http://ops:hunter2@127.0.0.1:1/");
        var notAnAddress = await CliRun.RunAsync(system, ["dlq", "list"], url: "ftp://ops:hunter2@127.0.0.1/");

        Assert.Equal((0, 0), (help.ExitCode, subHelp.ExitCode));
        Assert.Contains("--ingest", help.Out);
        foreach (var run in new[] { help, subHelp, unreachable, notAnAddress })
        {
            Assert.DoesNotContain(system.AdminKey, run.Out + run.Error);
            Assert.DoesNotContain("hunter2", run.Out + run.Error);
        }
        OneLine(unreachable, 3, "cannot reach Ingest at http://***@127.0.0.1:1");
        OneLine(notAnAddress, 2, "not an http(s) address");
    }

    [Fact]
    public async Task Each_failure_is_one_line_that_says_what_to_do_with_its_exit_code()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        // Something that is not Ingest: it answers 404 without a problem document.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var stranger = builder.Build();
        stranger.MapGet("/", () => "hello");
        await stranger.StartAsync();

        var listen = await Webhooks("listen", "--port", port.ToString());
        var tail = await Webhooks("deliveries", "tail", "--tenant", "cli-nosuch", "--for", "2s");
        var badDuration = await Webhooks("deliveries", "tail", "--tenant", "cli-nosuch", "--for", "soon");
        var notIngest = await CliRun.RunAsync(system, ["events", "list", "--tenant", "x"], url: stranger.Urls.Single());
        var noKey = await CliRun.RunAsync(system, ["dlq", "list"], key: "");

        OneLine(listen, 3, $"127.0.0.1:{port} is taken");
        OneLine(tail, 1, "tenant 'cli-nosuch' has no endpoints");
        OneLine(badDuration, 2, "--for takes a length of time such as 90s, 5m, 2h, 1d or 00:05:00, not 'soon' (webhooks deliveries tail --help says how to use it)");
        OneLine(notIngest, 3, "answered 404 NotFound without a problem document");
        OneLine(noKey, 2, "set WEBHOOKS_API_KEY or pass --key");
    }

    [Fact]
    public async Task A_tenant_bound_key_naming_another_tenant_is_told_which_tenant_it_is_bound_to()
    {
        var key = (await Webhooks("keys", "create", "--role", "admin", "--tenant", "cli-shop", "--json")).As<ApiKeyView>().Key!;

        foreach (var args in new[] { new[] { "endpoints", "list", "--tenant", "cli-other" }, ["events", "list", "--tenant", "cli-other"], ["dlq", "list", "--tenant", "cli-other"], ["audit", "--tenant", "cli-other"] })
        {
            var run = await CliRun.RunAsync(system, args, key: key);
            OneLine(run, 1, "bound to tenant 'cli-shop'");
        }
    }

    [Fact]
    public async Task Quotas_and_jobs_are_verbs_and_a_purge_says_what_and_how_many_before_it_asks()
    {
        var shown = await Webhooks("quotas", "show", "cli-quota");
        var set = await Webhooks("quotas", "set", "cli-quota", "--events-per-second", "2000", "--events-burst", "4000", "--json");
        var kept = await Webhooks("quotas", "set", "cli-quota", "--endpoints", "7", "--json");
        var reset = await Webhooks("quotas", "set", "cli-quota", "--default", "events-burst", "--json");

        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("events-per-second", shown.Out);
        Assert.Equal(2000, set.As<QuotaView>().Quotas.EventsPerSecond);
        Assert.Equal((2000, 7), (kept.As<QuotaView>().Overrides.EventsPerSecond, kept.As<QuotaView>().Overrides.Endpoints));
        Assert.Null(reset.As<QuotaView>().Overrides.EventsBurst);
        Assert.Contains("operator", (await Webhooks("quotas", "show", "cli-quota")).Out);

        var (endpointId, _) = await system.CreateEndpointAsync("cli-jobs", "https://hooks.example.com/jobs", ["*"]);
        var unconfirmed = await Webhooks("dlq", "purge", "--endpoint", endpointId, "--since", "2026-01-01T00:00:00Z");
        Assert.Equal(4, unconfirmed.ExitCode);
        Assert.Contains($"Purge 0 dead letter(s) of endpoint {endpointId}, since 2026-01-01 00:00:00Z?", unconfirmed.Error);
        Assert.DoesNotContain("%3A", unconfirmed.Error);

        var purged = await Webhooks("dlq", "purge", "--endpoint", endpointId, "--yes", "--json");
        var jobId = purged.As<Job>().Id;
        var listed = await Webhooks("jobs", "list", "--json");
        var one = await Webhooks("jobs", "show", jobId);
        var followed = await Webhooks("jobs", "follow", jobId);

        Assert.Contains(listed.As<List<Job>>(), j => j.Id == jobId && j.Tenant == "cli-jobs");
        Assert.Contains("purge", one.Out);
        Assert.Contains("cli-jobs", one.Out);
        Assert.Equal(0, followed.ExitCode);
        Assert.Contains($"Job {jobId} done: purged 0", followed.Out);
    }

    [Fact]
    public async Task Endpoints_update_changes_the_url_payload_headers_rate_limit_and_description_it_is_given_and_nothing_else()
    {
        var id = (await Webhooks("endpoints", "add", "--tenant", "cli-update", "--url", "https://hooks.example.com/before", "--event-type", "order.*",
            "--payload", "thin", "--header", "X-Team=payments", "--max-in-flight", "3", "--json")).As<EndpointView>().Id;

        var updated = await Webhooks("endpoints", "update", id, "--url", "https://hooks.example.com/after", "--payload", "full", "--header", "X-Other=1",
            "--rate-limit", "20", "--burst", "2", "--description", "moved", "--json");

        Assert.Equal(0, updated.ExitCode);
        var endpoint = updated.As<EndpointView>();
        Assert.Equal(("https://hooks.example.com/after", "full", "moved"), (endpoint.Url, endpoint.Payload, endpoint.Description));
        Assert.Equal((20.0, 2), (endpoint.RateLimit!.PerSecond, endpoint.RateLimit.Burst));
        Assert.Equal(["X-Other"], endpoint.Headers.Keys);
        Assert.Equal(3, endpoint.MaxInFlight);
        Assert.Equal(["order.*"], endpoint.EventTypes);
    }

    [Fact]
    public async Task Quotas_set_takes_every_quota_by_its_option()
    {
        var set = await Webhooks("quotas", "set", "cli-every-quota", "--events-burst", "900", "--bytes-per-second", "2000000", "--bytes-burst", "8000000",
            "--dead-letters", "500", "--attempt-log-bytes", "100000", "--json");

        Assert.Equal(0, set.ExitCode);
        var overrides = set.As<QuotaView>().Overrides;
        Assert.Equal((900, 2_000_000.0, 8_000_000, 500, 100_000), (overrides.EventsBurst, overrides.BytesPerSecond, overrides.BytesBurst, overrides.DeadLetters, overrides.AttemptLogBytes));
    }

    [Fact]
    public async Task Jobs_list_takes_a_tenant_and_a_limit()
    {
        foreach (var tenant in new[] { "cli-jobs-a", "cli-jobs-a", "cli-jobs-b" })
        {
            var (endpointId, _) = await system.CreateEndpointAsync(tenant, "https://hooks.example.com/" + tenant, ["*"]);
            Assert.Equal(0, (await Webhooks("dlq", "purge", "--endpoint", endpointId, "--yes", "--json")).ExitCode);
        }

        var ofA = (await Webhooks("jobs", "list", "--tenant", "cli-jobs-a", "--json")).As<List<Job>>();
        var one = (await Webhooks("jobs", "list", "--tenant", "cli-jobs-a", "--limit", "1", "--json")).As<List<Job>>();

        Assert.Equal(2, ofA.Count);
        Assert.All(ofA, j => Assert.Equal("cli-jobs-a", j.Tenant));
        Assert.Equal(ofA[0].Id, Assert.Single(one).Id);
    }

    [Fact]
    public async Task Endpoints_take_their_limits_payload_and_headers_from_flags()
    {
        var added = await Webhooks("endpoints", "add", "--tenant", "cli-flags", "--url", "https://hooks.example.com/flags", "--event-type", "*",
            "--rate-limit", "10", "--burst", "5", "--max-in-flight", "4", "--timeout", "5", "--payload", "thin", "--header", "X-Team=payments", "--json");
        var id = added.As<EndpointView>().Id;
        var updated = await Webhooks("endpoints", "update", id, "--max-in-flight", "2", "--timeout", "9", "--json");
        var shown = await Webhooks("endpoints", "show", id);
        var nothing = await Webhooks("endpoints", "update", id);

        Assert.Equal(0, added.ExitCode);
        var (endpoint, changed) = (added.As<EndpointView>(), updated.As<EndpointView>());
        Assert.Equal((10, 5), (endpoint.RateLimit!.PerSecond, endpoint.RateLimit.Burst));
        Assert.Equal(("thin", true), (endpoint.Payload, endpoint.Headers.ContainsKey("X-Team")));
        Assert.Equal((2, 9, 10.0), (changed.MaxInFlight, changed.TimeoutSeconds, changed.RateLimit!.PerSecond));
        Assert.Contains("10/s, burst 5", shown.Out);
        Assert.Contains("X-Team", shown.Out);
        OneLine(nothing, 2, "name at least one field to change");
    }

    [Fact]
    public async Task The_retry_state_is_in_plain_sight_in_events_show_tail_dlq_and_stats()
    {
        await using var failing = await Subscriber.StartAsync(_ => 500);
        var (endpointId, _) = await system.CreateEndpointAsync("cli-state", failing.Url, ["invoice.*"]);
        var following = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tailing = CliRun.RunAsync(system, ["deliveries", "tail", "--endpoint", endpointId, "--for", "15s"], errorLine: "Following 1 endpoint(s)", printed: following);
        // Once it says it follows, it has taken its first look: what is published now is news to it.
        await following.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var eventId = await system.PublishAsync("cli-state", "invoice.failed");

        var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), l => l.Count > 0, "the delivery is dead-lettered"));
        var shown = await Webhooks("events", "show", eventId);
        var listed = await Webhooks("dlq", "list", "--endpoint", endpointId);
        var one = await Webhooks("dlq", "show", deadLetter.Id);
        var stats = await Eventually.HoldsAsync(() => Webhooks("endpoints", "stats", endpointId), r => r.Out.Contains("http_500"), "the failures are counted by kind");
        var tail = await tailing;

        Assert.Contains($"dead-lettered (exhausted) after 4 attempt(s): webhooks dlq show {deadLetter.Id}", shown.Out);
        Assert.Contains("500", listed.Out);
        Assert.Contains(deadLetter.LastAttempt!.TraceId!, one.Out);
        Assert.Contains(failing.Url, stats.Out);
        Assert.Contains("→ retry #2 of 4", tail.Out);
        Assert.Contains("✘ last attempt: no retry follows", tail.Out);
        Assert.Contains("✘ dead-lettered (exhausted)", tail.Out);
    }

    [Fact]
    public async Task Events_show_says_which_attempt_comes_next_and_when_while_a_delivery_waits_for_its_retry()
    {
        // The subscriber asks for a minute's rest: the second attempt is due then, and the test looks before.
        await using var busy = await Subscriber.StartAsync(_ => new Reply(503, RetryAfter: "60"));
        await system.CreateEndpointAsync("cli-retrying", busy.Url, ["invoice.*"]);
        var eventId = await system.PublishAsync("cli-retrying", "invoice.due");
        await busy.WaitForAsync(1);

        var shown = await Eventually.HoldsAsync(() => Webhooks("events", "show", eventId), r => r.Out.Contains("retrying"), "the delivery is shown waiting for its retry");

        var next = DateTimeOffset.Parse(System.Text.RegularExpressions.Regex.Match(shown.Out, @"retrying \(attempt 2 of 4, next at (?<at>[0-9-]+ [0-9:]+)Z\)").Groups["at"].Value + "Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(next - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(80));
    }

    [Fact]
    public async Task Events_list_hides_the_platforms_own_events_takes_wildcards_and_pages()
    {
        foreach (var type in new[] { "order.created", "order.shipped", "invoice.paid" })
        {
            await system.PublishAsync("cli-list", type);
        }
        var (endpointId, _) = await system.CreateEndpointAsync("cli-list", "https://hooks.example.com/list", ["*"]);
        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null)).EnsureSuccessStatusCode();
        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/enable", null)).EnsureSuccessStatusCode(); // webhooks.endpoint.enabled
        await Eventually.HoldsAsync(() => Webhooks("events", "list", "--tenant", "cli-list", "--operational", "--json"), r => r.As<List<EventSummary>>().Any(e => e.Type == "webhooks.endpoint.enabled"), "the operational event is listed");

        var plain = await Webhooks("events", "list", "--tenant", "cli-list", "--json");
        var orders = await Webhooks("events", "list", "--tenant", "cli-list", "--type", "order.*", "--json");
        var firstPage = await Webhooks("events", "list", "--tenant", "cli-list", "--limit", "2");
        var after = firstPage.Out.Split('\n').Single(l => l.StartsWith("More: add --after ", StringComparison.Ordinal))["More: add --after ".Length..].Trim();
        var secondPage = await Webhooks("events", "list", "--tenant", "cli-list", "--limit", "2", "--after", after, "--json");

        Assert.DoesNotContain(plain.As<List<EventSummary>>(), e => e.Type.StartsWith("webhooks.", StringComparison.Ordinal));
        Assert.Equal(3, plain.As<List<EventSummary>>().Count);
        Assert.Equal(["order.created", "order.shipped"], orders.As<List<EventSummary>>().Select(e => e.Type).Order());
        Assert.Equal(["order.created"], secondPage.As<List<EventSummary>>().Select(e => e.Type));
    }

    [Fact]
    public async Task A_test_is_sent_once_and_listen_says_when_it_answered_a_failure_on_its_terminal_and_in_its_log()
    {
        var log = Path.Combine(Path.GetTempPath(), $"listen-{Guid.NewGuid():N}.log");
        await using var listen = await ListenProcess.StartAsync(system, "cli-listen", "--status", "500", "--log", log);
        var endpointId = (await system.Ingest.GetFromJsonAsync<EndpointPage>("/v1/endpoints?tenant=cli-listen"))!.Data[0].Id;

        var tested = await Webhooks("endpoints", "test", endpointId);

        var printed = await listen.WaitForAsync("answered 500", "listen says what it answered");
        Assert.Contains("✘ answered 500 (signature verified; the sender will retry it)", printed);
        Assert.DoesNotContain("✔ verified", printed);
        Assert.Contains("answered 500", await File.ReadAllTextAsync(log));
        Assert.Contains("attempted once, never retried", tested.Out);
        var testEventId = System.Text.RegularExpressions.Regex.Match(tested.Out, "evt_[0-9A-Za-z]+").Value;
        Assert.Contains("failed for good after 1 attempt(s): no attempt follows", (await Webhooks("events", "show", testEventId)).Out);
        await Eventually.NothingMoreWithinAsync(TimeSpan.FromSeconds(2), "a retry of the test (due after 200 ms)");
        Assert.Single(listen.Printed.Split('\n'), l => l.Contains("answered 500", StringComparison.Ordinal));
        Assert.Empty((await Webhooks("events", "list", "--tenant", "cli-listen", "--operational", "--json")).As<List<EventSummary>>());
        File.Delete(log);
    }
}
