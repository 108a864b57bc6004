using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Webhooks.Core.Storage;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>Valid-looking input that once gave a 500 after work was done: refused at the door, with nothing published.</summary>
public sealed class HostileInputTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Event(string data) => $$"""{"type":"order.created","tenant":"hostile","data":{{data}}}""";

    [Fact]
    public async Task A_batch_with_one_unpaired_surrogate_is_refused_whole_and_a_keyed_retry_is_refused_the_same_way()
    {
        var batch = $$"""{"events":[{{Event("{\"n\":1}")}},{{Event("{\"n\":2}")}},{{Event("{\"s\":\"\\ud800\"}")}},{{Event("{\"n\":4}")}}]}""";

        var plain = await system.Ingest.PostAsync("/v1/events/batch", Json(batch));
        var keyed = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events/batch") { Content = Json(batch) };
            request.Headers.Add("Idempotency-Key", "surrogate-batch");
            keyed.Add((await system.Ingest.SendAsync(request)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Contains("events[2].data", await plain.Content.ReadAsStringAsync());
        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], keyed);
        Assert.Equal(0u, await system.QueueDepthAsync("webhooks-fan-out"));
        Assert.Equal(0, system.CountKeys(RedisKeys.Event.Record("*")));
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_refused_not_kept_as_replacement_characters()
    {
        var bytes = Encoding.UTF8.GetBytes(Event("{\"name\":\"caf_\"}"));
        bytes[Array.IndexOf(bytes, (byte)'_')] = 0xE9; // Latin-1 é: not UTF-8 on its own
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await system.Ingest.PostAsync("/v1/events", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid UTF-8", await response.Content.ReadAsStringAsync());
        Assert.Equal(0u, await system.QueueDepthAsync("webhooks-fan-out"));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e999")]
    public async Task A_cursor_that_is_no_place_in_an_index_is_refused_on_every_list(string score)
    {
        var (endpointId, _) = await system.CreateEndpointAsync("hostile-cursor", "https://hooks.example.com/c", ["*"]);
        var cursor = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{score}\naud_x")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var since = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"));

        foreach (var (method, path) in new[]
        {
            ("GET", $"/v1/audit?after={cursor}"), ("GET", $"/v1/jobs?after={cursor}"), ("GET", $"/v1/dead-letters?after={cursor}"),
            ("GET", $"/v1/events?tenant=hostile-cursor&after={cursor}"),
            ("POST", $"/v1/endpoints/{endpointId}/replay?since={since}&after={cursor}"), ("POST", $"/v1/dead-letters/redrive?after={cursor}"), ("DELETE", $"/v1/dead-letters?after={cursor}"),
        })
        {
            using var response = await system.Ingest.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_test_event_takes_the_same_rules_as_any_event_and_cannot_speak_for_the_platform()
    {
        var (endpointId, _) = await system.CreateEndpointAsync("hostile-test", "https://hooks.example.com/t", ["*"]);
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 62)) + "{}" + new string('}', 62);

        foreach (var (body, explanation) in new[]
        {
            ("""{"type":"webhooks.endpoint.disabled","data":{"endpointId":"ep_of_another_tenant"}}""", "platform's own"),
            ("""{"type":"webhooks.delivery.recovered"}""", "platform's own"),
            ("{\"data\":" + deep + "}", "nests deeper than 32"),
            ("""{"data":{"s":"\ud800"}}""", "not Unicode"),
            ("""{"type":"order.created\n"}""", "lowercase dotted"),
        })
        {
            var response = await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/test", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(explanation, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(0u, await system.QueueDepthAsync("webhooks-delivery"));
        Assert.Equal(0, system.CountKeys(RedisKeys.Event.Record("*")));
    }
}
