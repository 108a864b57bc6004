using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Webhooks.Core.Fairness;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;
using Webhooks.Messaging;

namespace Webhooks.IntegrationTests;

/// <summary>Hundreds of random and malformed bodies against every write endpoint: never a 500, and nothing refused is published.</summary>
public sealed class MalformedInputTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    private const int BodiesPerEndpoint = 250;

    private static readonly string[] Fields =
        ["type", "tenant", "data", "resource", "occurredAt", "events", "url", "eventTypes", "headers", "rateLimit", "maxInFlight", "timeoutSeconds", "payload", "role", "name", "description",
         "kind", "endpointId", "reason", "since", "until", "eventsPerSecond", "eventsBurst", "bytesPerSecond", "deadLetters"];

    private static readonly string[] Values =
    [
        "null", "true", "0", "-1", "1e308", "1e999", "123456789012345678901234567890", "\"\"", "\"x\"", "[]", "{}", "[[[[]]]]",
        "\"order.created\"", "\"Order Created\"", "\"acme\"", "\"../../etc/passwd\"", "\"\\u0000\"", "\"évènement\"", "\"\\ud800\"",
        "\"https://example.com/\"", "\"http://169.254.169.254/\"", "\"javascript:alert(1)\"", "\"2026-13-45T99:00:00Z\"", "\"2026-11-28T10:00:00Z\"",
        "[\"*\"]", "[\"order.*\", 5]", "{\"perSecond\": -5}", "{\"perSecond\": 1e400}", "{\"webhook-id\": \"x\"}", "{\"x-ok\": \"a\\r\\nb\"}",
        "\"full\"", "\"thin\"", "\"admin\"", "\"publisher\"", "\"root\"", "[{\"type\":\"a.b\",\"tenant\":\"t\",\"data\":{}}]",
        "\"" + new string('a', 5000) + "\"", "{\"k\": {\"k\": {\"k\": [1, 2, {\"z\": null}]}}}",
        // Valid JSON that is no text (unpaired surrogates, where names and strings are), and names that end in a newline.
        "{\"s\": \"\\ud800\"}", "{\"\\udfff\": 1}", "[\"\\ud83d\"]", "{\"a\": {\"b\": \"x\\udc00y\"}}", "\"order.created\\n\"", "\"acme\\n\"",
        "[\"order.*\\n\"]", "{\"X-A\\n\": \"x\"}", "{\"Content-Disposition\": \"inline\"}", "\"webhooks.endpoint.disabled\"",
        "\"purge\"", "\"redrive\"", "\"replay\"", "\"exhausted\"", "\"ep_0000000000000000000000000\"", "-1e-300", "2147483648",
    ];

    /// <summary>Cursors that decode but are no place in an index: NaN, the infinities, a number past double's range.</summary>
    private static readonly string[] Cursors = [.. new[] { "NaN", "Infinity", "-Infinity", "1e999", "-0", "" }.Select(score =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{score}\nx_1")).TrimEnd('=').Replace('+', '-').Replace('/', '_')).Append("%00").Append("NaN")];

    [Fact]
    public async Task Random_and_malformed_bodies_never_cause_a_500_and_nothing_refused_is_published()
    {
        var (endpointId, _) = await system.CreateEndpointAsync("fuzz", "https://hooks.example.com/fuzz", ["*"]);
        // A test to an enabled endpoint waits for its answer; to this disabled one a valid test is a quick 409.
        var (disabledId, _) = await system.CreateEndpointAsync("fuzz", "https://hooks.example.com/off", ["*"]);
        (await system.Ingest.PostAsync($"/v1/endpoints/{disabledId}/disable", null)).EnsureSuccessStatusCode();
        string[] targets = ["/v1/events", "/v1/events/batch", "/v1/endpoints", $"PATCH /v1/endpoints/{endpointId}", "/v1/api-keys",
            "/v1/jobs", "PUT /v1/tenants/fuzz-quotas/quotas", $"/v1/endpoints/{disabledId}/test"];
        var random = new Random(20261128);
        var published = 0;
        var refused = 0;
        var failures = new List<string>();

        foreach (var target in targets)
        {
            for (var i = 0; i < BodiesPerEndpoint; i++)
            {
                var (body, contentType) = Body(random);
                var (method, path) = Route(target);
                using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
                if (contentType is not null)
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                }
                using var response = await system.Ingest.SendAsync(request);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{target} answered {(int)response.StatusCode} to: {Encoding.UTF8.GetString(body)[..Math.Min(body.Length, 200)]}");
                }
                else if (!response.IsSuccessStatusCode)
                {
                    refused++;
                    if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{target} answered {(int)response.StatusCode} without problem+json");
                    }
                }
                else if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    // A batch publishes the events it names; any other write accepted publishes one at most.
                    published += target == "/v1/events/batch" ? (await response.Content.ReadFromJsonAsync<EventBatchAccepted>())!.Ids.Count : 1;
                }
            }
        }

        // Every list and bulk route that takes a cursor, with cursors that are none.
        string[] cursorTargets = ["GET /v1/audit", "GET /v1/jobs", "GET /v1/dead-letters", "GET /v1/events?tenant=fuzz", "POST /v1/dead-letters/redrive", "DELETE /v1/dead-letters",
            $"POST /v1/endpoints/{endpointId}/replay?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"))}", $"GET /v1/endpoints/{endpointId}/attempts"];
        foreach (var target in cursorTargets)
        {
            foreach (var cursor in Cursors)
            {
                var (method, path) = (target.Split(' ')[0], target.Split(' ', 2)[1]);
                using var response = await system.Ingest.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"{path}{(path.Contains('?') ? '&' : '?')}after={cursor}"));
                if ((int)response.StatusCode >= 500 || response.IsSuccessStatusCode && cursor != Cursors[4])
                {
                    failures.Add($"{target} answered {(int)response.StatusCode} to the cursor {cursor}");
                }
            }
        }
        // Bodies that are not UTF-8 inside otherwise valid JSON: the same body with a plain letter there is accepted,
        // so the 400 is for the bytes alone.
        var validBodies = new Dictionary<string, string>
        {
            ["/v1/events"] = "{\"type\":\"a.b\",\"tenant\":\"fuzz\",\"data\":{\"s\":\"#\"}}",
            ["/v1/events/batch"] = "{\"events\":[{\"type\":\"a.b\",\"tenant\":\"fuzz\",\"data\":{\"s\":\"#\"}}]}",
            ["/v1/endpoints"] = "{\"tenant\":\"fuzz\",\"url\":\"https://hooks.example.com/#\",\"eventTypes\":[\"*\"],\"description\":\"#\"}",
            [$"PATCH /v1/endpoints/{endpointId}"] = "{\"description\":\"#\"}",
            ["/v1/api-keys"] = "{\"role\":\"publisher\",\"name\":\"#\"}",
        };
        foreach (var (target, template) in validBodies)
        {
            var (method, path) = Route(target);
            foreach (var invalid in new byte[][] { [0xC3], [0xE9, 0x20], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFF], "x"u8.ToArray() })
            {
                var body = Encoding.UTF8.GetBytes(template).SelectMany(b => b == (byte)'#' ? invalid : [b]).ToArray();
                using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
                using var response = await system.Ingest.SendAsync(request);
                var plain = invalid is [(byte)'x'];
                if (plain ? !response.IsSuccessStatusCode : response.StatusCode != HttpStatusCode.BadRequest)
                {
                    failures.Add($"{target} answered {(int)response.StatusCode} to a body {(plain ? "that is valid" : "that is not UTF-8")}");
                }
                if (plain && response.StatusCode == HttpStatusCode.Accepted)
                {
                    published++;
                }
            }
        }
        // Names that end in a newline, refused at every rule (a `$` anchor would let them through).
        string[] newlineEnded =
        [
            "/v1/events {\"type\":\"order.created\\n\",\"tenant\":\"fuzz\",\"data\":{}}",
            "/v1/events {\"type\":\"order.created\",\"tenant\":\"fuzz\\n\",\"data\":{}}",
            "/v1/events/batch {\"events\":[{\"type\":\"order.created\\n\",\"tenant\":\"fuzz\",\"data\":{}}]}",
            "/v1/endpoints {\"tenant\":\"fuzz\",\"url\":\"https://hooks.example.com/\",\"eventTypes\":[\"order.*\\n\"]}",
            "/v1/endpoints {\"tenant\":\"fuzz\",\"url\":\"https://hooks.example.com/\",\"eventTypes\":[\"*\"],\"headers\":{\"X-A\\n\":\"x\"}}",
            $"/v1/endpoints/{disabledId}/test {{\"type\":\"order.created\\n\",\"data\":{{}}}}",
        ];
        foreach (var line in newlineEnded)
        {
            var (path, json) = (line.Split(' ', 2)[0], line.Split(' ', 2)[1]);
            using var response = await system.Ingest.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
            if (response.StatusCode != HttpStatusCode.BadRequest)
            {
                failures.Add($"{path} answered {(int)response.StatusCode} to {json}");
            }
        }

        Assert.Empty(failures);
        Assert.True(refused > targets.Length * BodiesPerEndpoint * 0.9, $"only {refused} bodies were refused");
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-fan-out"), d => d == published, $"exactly the {published} accepted events are queued");
        // No refused redrive, replay or job sent a delivery (no dispatcher runs here to take one).
        foreach (var lane in TenantLanes.Of(FairnessStage.Deliveries))
        {
            Assert.Equal(0u, await system.QueueDepthAsync(lane));
        }
    }

    private static (HttpMethod Method, string Path) Route(string target) => target.Split(' ') is [var method, var path] ? (new HttpMethod(method), path) : (HttpMethod.Post, target);

    private static (byte[] Body, string? ContentType) Body(Random random)
    {
        var contentType = random.Next(20) switch
        {
            0 => null,
            1 => "text/plain",
            2 => "application/json; charset=utf-16",
            _ => "application/json",
        };
        var text = random.Next(9) switch
        {
            0 => null,
            1 => new string([.. Enumerable.Range(0, random.Next(300)).Select(_ => (char)random.Next(32, 127))]),
            2 => Truncated(random),
            3 => Nested(random.Next(60, 3000), random.Next(2) == 0),
            4 => new string('9', random.Next(300, 3000)),
            5 => "{\"type\":\"a.b\",\"type\":\"c.d\",\"tenant\":\"t\",\"tenant\":5,\"data\":{}}",
            6 => Values[random.Next(Values.Length)],
            _ => RandomObject(random),
        };
        return (text is null ? [.. Enumerable.Range(0, random.Next(512)).Select(_ => (byte)random.Next(256))] : Encoding.UTF8.GetBytes(text), contentType);
    }

    private static string RandomObject(Random random)
    {
        var fields = Fields.OrderBy(_ => random.Next()).Take(random.Next(1, 7)).Select(f => $"\"{f}\":{Values[random.Next(Values.Length)]}");
        return "{" + string.Join(",", fields) + "}";
    }

    private static string Truncated(Random random)
    {
        var json = RandomObject(random);
        return json[..random.Next(json.Length)];
    }

    private static string Nested(int depth, bool arrays) =>
        arrays ? new string('[', depth) + new string(']', depth)
        : string.Concat(Enumerable.Repeat("{\"data\":", depth)) + "1" + new string('}', depth);
}
