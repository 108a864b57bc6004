using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Webhooks.Core.Storage;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>What Ingest accepts and refuses; no dispatcher runs here, so every accepted event stays queued where it can be counted.</summary>
public sealed class EventIngestTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    public static TheoryData<string, string, HttpStatusCode, string> BadEvents => new()
    {
        { "malformed JSON", "{\"type\": \"order.created\", \"tenant\": ", HttpStatusCode.BadRequest, "not valid JSON" },
        { "not an object", "[1, 2]", HttpStatusCode.BadRequest, "JSON object" },
        { "missing type", "{\"tenant\":\"acme\",\"data\":{}}", HttpStatusCode.BadRequest, "type is required" },
        { "invalid type", "{\"type\":\"Order Created\",\"tenant\":\"acme\",\"data\":{}}", HttpStatusCode.BadRequest, "lowercase dotted" },
        { "missing tenant", "{\"type\":\"order.created\",\"data\":{}}", HttpStatusCode.BadRequest, "tenant is required" },
        { "data not an object", "{\"type\":\"order.created\",\"tenant\":\"acme\",\"data\":[1]}", HttpStatusCode.BadRequest, "JSON object" },
        { "misspelt field", "{\"type\":\"order.created\",\"tenant\":\"acme\",\"dat\":{}}", HttpStatusCode.BadRequest, "dat" },
        { "wrong field type", "{\"type\":5,\"tenant\":\"acme\",\"data\":{}}", HttpStatusCode.BadRequest, "type" },
        // Inside the parser's 64 levels, but deeper than the message serialisers take once wrapped: once a 503 for ever.
        { "data nested 62 deep", "{\"type\":\"order.created\",\"tenant\":\"acme\",\"data\":" + string.Concat(Enumerable.Repeat("{\"a\":", 61)) + "{}" + new string('}', 61) + "}", HttpStatusCode.BadRequest, "nests deeper than 32" },
        // Valid JSON text, but no string: it cannot be written as UTF-8, and once failed after the event was accepted (500).
        { "an unpaired surrogate in data", "{\"type\":\"order.created\",\"tenant\":\"acme\",\"data\":{\"s\":\"\\ud800\"}}", HttpStatusCode.BadRequest, "not Unicode at data.s" },
        { "an unpaired surrogate in a name", "{\"type\":\"order.created\",\"tenant\":\"acme\",\"data\":{\"a\":{\"\\udc00x\":1}}}", HttpStatusCode.BadRequest, "not Unicode at data.a" },
        // '$' matches before a final newline: the rules end at the end of the text.
        { "a type ending in a newline", "{\"type\":\"order.created\\n\",\"tenant\":\"acme\",\"data\":{}}", HttpStatusCode.BadRequest, "lowercase dotted" },
        { "a tenant ending in a newline", "{\"type\":\"order.created\",\"tenant\":\"acme\\n\",\"data\":{}}", HttpStatusCode.BadRequest, "letters, digits" },
        { "a reserved type", "{\"type\":\"webhooks.endpoint.disabled\",\"tenant\":\"acme\",\"data\":{}}", HttpStatusCode.BadRequest, "platform's own" },
        { "over 256 KiB", "{\"type\":\"order.created\",\"tenant\":\"acme\",\"data\":{\"blob\":\"" + new string('x', 256 * 1024) + "\"}}", HttpStatusCode.RequestEntityTooLarge, "256 KiB" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task A_bad_event_gets_a_problem_that_says_what_is_wrong_and_changes_nothing(string what, string body, HttpStatusCode status, string explanation)
    {
        var response = await system.Ingest.PostAsync("/v1/events", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(explanation, await response.Content.ReadAsStringAsync());
        Assert.Equal(0u, await system.QueueDepthAsync("webhooks-fan-out"));
        Assert.True(system.CountKeys(RedisKeys.Event.Record("*")) == 0, $"{what}: an event was stored");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_as_unsupported()
    {
        var response = await system.Ingest.PostAsync("/v1/events", new StringContent("type=order.created", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_events_answer_404_as_a_problem()
    {
        var response = await system.Ingest.GetAsync("/v1/events/evt_nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_broker_that_does_not_answer_gets_503_with_retry_after_never_202()
    {
        var ingest = await system.StartIngestAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
            ["Webhooks:Ingest:PublishTimeout"] = "00:00:01",
        });

        var response = await ingest.PostAsJsonAsync("/v1/events", new { type = "order.created", tenant = "acme", data = new { } });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Without_redis_events_and_endpoints_get_503_and_nothing_is_published()
    {
        var ingest = await system.StartIngestAsync(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=500" });

        var @event = await ingest.PostAsJsonAsync("/v1/events", new { type = "order.created", tenant = "acme", data = new { } });
        var endpoint = await ingest.PostAsJsonAsync("/v1/endpoints", new { tenant = "acme", url = "https://x.example/", eventTypes = new[] { "*" } });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, @event.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, endpoint.StatusCode);
        Assert.NotNull(@event.Headers.RetryAfter);
        Assert.Contains("Redis", await @event.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ingest.GetAsync("/readyz")).StatusCode);
        Assert.Equal(0u, await system.QueueDepthAsync("webhooks-fan-out"));
    }

    [Fact]
    public async Task The_api_describes_itself_and_reports_its_health()
    {
        Assert.Equal(HttpStatusCode.OK, (await system.Ingest.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await system.Ingest.GetAsync("/readyz")).StatusCode);
        var openApi = await system.Ingest.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/v1/events", out _));
        Assert.Contains("http_server_request_duration", await system.Ingest.GetStringAsync("/metrics"));
    }
}
