using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Microsoft.AspNetCore.Mvc;
using Webhooks.Core.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;
using Webhooks.Signing;

namespace Webhooks.IntegrationTests;

/// <summary>Thin deliveries: no data in the POST, a link signed with the endpoint's secret to fetch it from Ingest.</summary>
public sealed class ThinWebhookTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private static readonly object OrderData = new { orderId = "A-17", total = 99.5, lines = new[] { new { sku = "é-1", qty = 2 } }, note = (string?)null };

    /// <summary>A client without an API key: a data link is its own credential.</summary>
    private static readonly HttpClient Anonymous = new();

    [Fact]
    public async Task A_thin_endpoint_gets_no_data_and_with_the_delivery_and_its_secret_alone_fetches_exactly_the_producers_data()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, secret) = await system.CreateEndpointAsync("thin", subscriber.Url, ["order.*"], new { payload = "thin" });

        var eventId = await system.PublishAsync("thin", "order.paid", OrderData);

        await subscriber.WaitForAsync(1);
        var received = Assert.Single(subscriber.Received);
        Assert.True(received.VerifiesWith(secret));
        Assert.False(received.Json.TryGetProperty("data", out _));
        var link = received.Json.GetProperty("links").GetProperty("data").GetString()!;
        var fetched = await Anonymous.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal("application/json", fetched.Content.Headers.ContentType!.MediaType);
        Assert.True(JsonNode.DeepEquals(JsonSerializer.SerializeToNode(OrderData), JsonNode.Parse(await fetched.Content.ReadAsStringAsync())));
        Assert.Contains(eventId, link);

        var stats = (await system.Ingest.GetFromJsonAsync<EndpointStatsView>($"/v1/endpoints/{endpointId}/stats"))!;
        Assert.Equal(1, stats.LastHour.DataFetches);
    }

    [Fact]
    public async Task Every_link_that_is_not_genuine_current_and_the_endpoints_own_is_refused_without_telling_whether_the_event_exists()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, secret) = await system.CreateEndpointAsync("thin-refusals", subscriber.Url, ["order.*"], new { payload = "thin" });
        var (otherEndpointId, otherSecret) = await system.CreateEndpointAsync("thin-refusals", subscriber.Url, ["invoice.*"], new { payload = "thin" });
        var eventId = await system.PublishAsync("thin-refusals", "order.paid", OrderData);
        var notForIt = await system.PublishAsync("thin-refusals", "invoice.sent", OrderData);
        var otherTenants = await system.PublishAsync("thin-someone-else", "order.paid", OrderData);
        await subscriber.WaitForAsync(2);
        var link = subscriber.Received.Select(r => r.Json.GetProperty("links").GetProperty("data").GetString()!).Single(l => l.Contains(eventId));
        var later = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        string Signed(string evt, string ep, long expires, string key) =>
            $"{system.Ingest.BaseAddress}v1/events/{evt}/data?endpoint={ep}&expires={expires}&signature={DataLink.Signature(key, evt, ep, expires)}";

        await AssertRefused(With(link, "signature", s => (s[0] == 'A' ? "B" : "A") + s[1..]), 401, "Invalid data link");
        await AssertRefused(With(link, "expires", e => (long.Parse(e) + 1).ToString()), 401, "Invalid data link");
        await AssertRefused(link.Replace(eventId, notForIt), 401, "Invalid data link");
        await AssertRefused(With(link, "endpoint", _ => otherEndpointId), 401, "Invalid data link");
        await AssertRefused(With(link, "signature", _ => ""), 400, "Malformed data link");
        await AssertRefused(Signed(eventId, endpointId, DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds(), secret), 410, "Data link expired");
        // Genuinely signed by a secret holder, for what the endpoint never got: the same answer whether the event exists or not.
        var absent = await AssertRefused(Signed("evt_doesnotexist", endpointId, later, secret), 404, "No data");
        var foreign = await AssertRefused(Signed(otherTenants, endpointId, later, secret), 404, "No data");
        var unsubscribed = await AssertRefused(Signed(eventId, otherEndpointId, later, otherSecret), 404, "No data");
        Assert.Equal(absent.Detail, foreign.Detail);
        Assert.Equal(absent.Detail, unsubscribed.Detail);

        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null)).EnsureSuccessStatusCode();
        await AssertRefused(link, 403, "Endpoint disabled");
        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/enable", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await Anonymous.GetAsync(link)).StatusCode);

        (await system.Ingest.DeleteAsync($"/v1/endpoints/{endpointId}")).EnsureSuccessStatusCode();
        await AssertRefused(link, 401, "Invalid data link");
    }

    [Fact]
    public async Task A_link_outlives_a_rotation_only_for_the_grace_period_and_fetches_beyond_the_rate_limit_wait()
    {
        var strict = await system.StartIngestAsync(new Dictionary<string, string?>
        {
            ["Webhooks:Ingest:SecretRotationGrace"] = "00:00:00",
            ["Webhooks:DataLinks:FetchesPerSecond"] = "0.01",
            ["Webhooks:DataLinks:FetchBurst"] = "2",
        });
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("thin-strict", subscriber.Url, ["*"], new { payload = "thin" });
        await system.PublishAsync("thin-strict", "order.paid", OrderData);
        await subscriber.WaitForAsync(1);
        var link = subscriber.Received.Single().Json.GetProperty("links").GetProperty("data").GetString()!;
        var onStrict = new Uri(strict.BaseAddress!, new Uri(link).PathAndQuery).ToString();

        Assert.Equal(HttpStatusCode.OK, (await Anonymous.GetAsync(onStrict)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Anonymous.GetAsync(onStrict)).StatusCode);
        var limited = await Anonymous.GetAsync(onStrict);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);

        // Rotated without grace: the old secret signs nothing any more, its links included.
        (await strict.PostAsync($"/v1/endpoints/{endpointId}/secret/rotate", null)).EnsureSuccessStatusCode();
        await AssertRefused(onStrict, 401, "Invalid data link");
    }

    [Fact]
    public async Task A_link_signed_to_expire_far_beyond_any_genuine_one_is_refused_and_failed_checks_are_throttled_before_any_work()
    {
        // A client of its own address (the throttle is per client address, and this test exhausts it).
        var ingest = system.Ingest;
        using var Anonymous = ClientFrom("127.0.0.2");
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, secret) = await system.CreateEndpointAsync("thin-forever", subscriber.Url, ["*"], new { payload = "thin" });
        var eventId = await system.PublishAsync("thin-forever", "order.paid", OrderData);
        await subscriber.WaitForAsync(1);
        string Signed(long expires, string signature) => $"{ingest.BaseAddress}v1/events/{eventId}/data?endpoint={endpointId}&expires={expires}&signature={signature}";

        // Signed with the real secret, as a leaked secret would sign it: never more than the links' lifetime.
        var forever = await Anonymous.GetAsync(Signed(long.MaxValue, DataLink.Signature(secret, eventId, endpointId, long.MaxValue)));
        var year = DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeSeconds();
        var aYear = await Anonymous.GetAsync(Signed(year, DataLink.Signature(secret, eventId, endpointId, year)));
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (forever.StatusCode, aYear.StatusCode));

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            answers.Add((await Anonymous.GetAsync(Signed(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), $"forged{i}"))).StatusCode);
        }
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"answered {a}"));
        Assert.InRange(answers.Count(a => a == HttpStatusCode.Unauthorized), 10, 40);
        var throttled = await Anonymous.GetAsync(Signed(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), "forged-again"));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter);
        Assert.Equal("Too many invalid data links", (await throttled.Content.ReadFromJsonAsync<ProblemDetails>())!.Title);
    }

    [Fact]
    public async Task Failed_link_checks_are_throttled_per_endpoint_named_whatever_the_client_address()
    {
        // An Ingest whose endpoint allowance refills slowly, so that once spent it stays spent for the test.
        var ingest = await system.StartIngestAsync(new Dictionary<string, string?>
        {
            ["Webhooks:DataLinks:FailuresPerSecondPerEndpoint"] = "0.01",
            ["Webhooks:DataLinks:FailureBurstPerEndpoint"] = "30",
        });
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("thin-spread", subscriber.Url, ["*"], new { payload = "thin" });
        var (otherId, _) = await system.CreateEndpointAsync("thin-spread", subscriber.Url, ["*"], new { payload = "thin" });
        var eventId = await system.PublishAsync("thin-spread", "order.paid", OrderData);
        await subscriber.WaitForAsync(2);
        string Forged(string endpoint, int i) => $"{ingest.BaseAddress}v1/events/{eventId}/data?endpoint={endpoint}&expires={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}&signature=forged{i}";

        // Ten addresses, each within its own allowance (a burst of 20), together past the endpoint's (a burst of 30).
        var answers = new List<HttpStatusCode>();
        for (var client = 0; client < 10; client++)
        {
            using var from = ClientFrom($"127.0.1.{client + 1}");
            for (var i = 0; i < 10; i++)
            {
                answers.Add((await from.GetAsync(Forged(endpointId, client * 100 + i))).StatusCode);
            }
        }
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"answered {a}"));
        Assert.InRange(answers.Count(a => a == HttpStatusCode.Unauthorized), 30, 31);

        using var fresh = ClientFrom("127.0.1.99");
        var throttled = await fresh.GetAsync(Forged(endpointId, 9999));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter);
        // Another endpoint's links are checked as before.
        Assert.Equal(HttpStatusCode.Unauthorized, (await fresh.GetAsync(Forged(otherId, 9999))).StatusCode);
    }

    /// <summary>A client whose requests come from <paramref name="address"/> (any of 127/8), as the throttles per client address see them.</summary>
    private static HttpClient ClientFrom(string address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        },
    });

    [Fact]
    public async Task Listen_with_fetch_never_follows_the_link_of_a_webhook_whose_signature_failed_nor_a_link_away_from_ingest()
    {
        await using var listen = await ListenProcess.StartReceiverAsync("--fetch", "--secret", "whsec_" + Convert.ToBase64String(new byte[24]), "--ingest", system.Ingest.BaseAddress!.ToString());
        var (endpointId, _) = await system.CreateEndpointAsync("thin-forged", listen.Url, ["*"], new { payload = "thin" });
        await system.PublishAsync("thin-forged", "order.paid", OrderData);
        // Signed with the endpoint's secret (which the listener does not hold): the signature fails there, and the link is not fetched.
        var forged = await Eventually.HoldsAsync(() => Task.FromResult(listen.Received), r => r.Count == 1, "the webhook arrives");

        Assert.Equal("invalid", forged[0].GetProperty("signature").GetString());
        Assert.Contains("not fetched", forged[0].GetProperty("fetched").GetString());
        Assert.Equal(0, (await system.Ingest.GetFromJsonAsync<EndpointStatsView>($"/v1/endpoints/{endpointId}/stats"))!.LastHour.DataFetches);

        // A verified webhook whose link leads away from the Ingest the listener knows (registered with another one): not followed either.
        var otherIngest = await system.StartIngestAsync();
        await using var trusting = await ListenProcess.StartReceiverAsync("--fetch", "--payload", "thin", "--register", otherIngest.BaseAddress!.ToString(), "--api-key", system.AdminKey, "--tenant", "thin-away");
        await system.PublishAsync("thin-away", "order.paid", OrderData);
        var away = await Eventually.HoldsAsync(() => Task.FromResult(trusting.Received), r => r.Count == 1, "the webhook arrives");
        Assert.Equal("verified", away[0].GetProperty("signature").GetString());
        Assert.Contains("leads away from Ingest", away[0].GetProperty("fetched").GetString());
    }

    [Fact]
    public async Task Listen_with_fetch_follows_the_link_of_each_thin_webhook_and_prints_the_data()
    {
        await using var listen = await ListenProcess.StartAsync(system, "thin-listen", "--payload", "thin", "--fetch");

        var eventId = await system.PublishAsync("thin-listen", "order.paid", OrderData);

        // Printed over several lines, read here one at a time: waited for is the fetched data's own line, not its heading.
        var printed = await listen.WaitForAsync("\"orderId\": \"A-17\"", "listen fetches the data");
        Assert.Contains("data (fetched):", printed);
        Assert.Contains(eventId, printed);
        Assert.Contains("✔ verified", printed);
        Assert.Contains("links", printed);
    }

    private static string With(string link, string parameter, Func<string, string> change)
    {
        var uri = new Uri(link);
        var query = HttpUtility.ParseQueryString(uri.Query);
        query[parameter] = change(query[parameter]!);
        return new UriBuilder(uri) { Query = query.ToString() }.Uri.ToString();
    }

    private static async Task<ProblemDetails> AssertRefused(string link, int status, string title)
    {
        var response = await Anonymous.GetAsync(link);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        var problem = JsonSerializer.Deserialize<ProblemDetails>(body, JsonSerializerOptions.Web)!;
        Assert.Equal(title, problem.Title);
        Assert.DoesNotContain("orderId", body);
        return problem;
    }
}
