using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Webhooks.Contracts;
using Webhooks.Core.EventTypes;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>The event-type catalog: schemas enforced or warned on over HTTP and the bus, OpenAPI import and export, hostile schemas, a strict catalog.</summary>
public sealed class EventTypeCatalogTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    /// <summary>Each dispatcher reads the catalog's version for every event it checks (no second of staleness to wait out).</summary>
    private static readonly Dictionary<string, string?> FreshCatalog = new() { ["Webhooks:Catalog:RefreshInterval"] = "00:00:00" };

    private static JsonElement OrderSchema => JsonDocument.Parse("""
        {
          "type": "object",
          "required": ["orderId", "amount", "currency"],
          "properties": {
            "orderId": {"type": "string", "minLength": 1},
            "amount": {"type": "number", "minimum": 0},
            "currency": {"enum": ["EUR", "USD", "GBP"]},
            "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}}
          },
          "$defs": {"line": {"type": "object", "required": ["sku", "quantity"], "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}}}}
        }
        """).RootElement;

    private async Task CreateTypeAsync(string name, string validation, JsonElement? schema = null)
    {
        var response = await system.Ingest.PostAsJsonAsync("/v1/event-types", new { name, description = $"An {name} event.", schema = schema ?? OrderSchema, validation });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Under_enforce_a_bad_event_is_refused_with_its_paths_over_http_and_a_good_one_is_delivered()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await CreateTypeAsync("shop.order.placed", SchemaValidation.Enforce);
        await system.CreateEndpointAsync("enforced", subscriber.Url, ["shop.*"]);
        await system.StartDispatcherAsync(FreshCatalog);

        var refused = await system.Ingest.PostAsJsonAsync("/v1/events", new
        {
            type = "shop.order.placed", tenant = "enforced",
            data = new { orderId = "", amount = -5, currency = "JPY", lines = new object[] { new { sku = "a", quantity = 0 } } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["/data/amount", "/data/currency", "/data/lines/0/quantity", "/data/orderId"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));

        // A batch with one bad event is refused whole, its index in the path.
        var batch = await system.Ingest.PostAsJsonAsync("/v1/events/batch", new
        {
            events = new object[]
            {
                new { type = "shop.order.placed", tenant = "enforced", data = new { orderId = "o-1", amount = 10, currency = "EUR" } },
                new { type = "shop.order.placed", tenant = "enforced", data = new { orderId = "o-2", amount = 10 } },
            },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, batch.StatusCode);
        Assert.Contains("events[1]/data", (await batch.Content.ReadAsStringAsync()));

        var good = await system.PublishAsync("enforced", "shop.order.placed", new { orderId = "o-3", amount = 12.5, currency = "EUR", lines = new[] { new { sku = "a", quantity = 2 } } });
        await subscriber.WaitForAsync(1);
        Assert.Equal(good, Assert.Single(subscriber.Received).Id);
        // Nothing of the refused ones was kept or listed.
        var listed = await system.Ingest.GetFromJsonAsync<JsonElement>("/v1/events?tenant=enforced");
        Assert.Equal([good], listed.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        // A type the catalog does not have, or one without validation, is not checked.
        await system.PublishAsync("enforced", "shop.order.unlisted", new { anything = true });
        await subscriber.WaitForAsync(2);
    }

    [Fact]
    public async Task A_keyed_retry_of_an_event_accepted_before_its_type_enforced_a_schema_is_that_event_and_tests_send_the_types_example()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("retried", subscriber.Url, ["keyed.*"]);
        await system.StartDispatcherAsync(FreshCatalog);
        var first = await system.PublishAsync("retried", "keyed.order.placed", new { orderId = "o-1" }, idempotencyKey: "order-o-1");
        await CreateTypeAsync("keyed.order.placed", SchemaValidation.Enforce);
        Assert.Equal(first, await system.PublishAsync("retried", "keyed.order.placed", new { orderId = "o-1" }, idempotencyKey: "order-o-1"));
        var fresh = await system.Ingest.PostAsJsonAsync("/v1/events", new { type = "keyed.order.placed", tenant = "retried", data = new { orderId = "o-2" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, fresh.StatusCode);

        // A test of the endpoint sends the type's example; test data the schema refuses is refused like any event's.
        var patched = await system.Ingest.PatchAsJsonAsync("/v1/event-types/keyed.order.placed", new { examples = new[] { new { orderId = "ex-1", amount = 5, currency = "GBP" } } });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var tested = await system.Ingest.PostAsJsonAsync($"/v1/endpoints/{endpointId}/test", new { type = "keyed.order.placed" });
        Assert.True(tested.IsSuccessStatusCode, await tested.Content.ReadAsStringAsync());
        var testId = (await tested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventId").GetString();
        await subscriber.WaitForAsync(2);
        // The first event and the test arrive in either order.
        Assert.Equal("ex-1", subscriber.Received.Single(r => r.Id == testId).Json.GetProperty("data").GetProperty("orderId").GetString());
        var badTest = await system.Ingest.PostAsJsonAsync($"/v1/endpoints/{endpointId}/test", new { type = "keyed.order.placed", data = new { orderId = 7 } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badTest.StatusCode);
        Assert.Contains("/data/orderId", await badTest.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Under_enforce_a_bad_bus_published_event_is_dead_lettered_invalid_event_and_a_good_one_delivered()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("bus-enforced", subscriber.Url, ["bus.*"]);
        var dispatcher = await system.StartDispatcherAsync(FreshCatalog);
        using var dispatcherHttp = new HttpClient { BaseAddress = new Uri(dispatcher.Urls.Single()) };
        var bus = await BusAsync();
        try
        {
            // The dispatcher holds a copy of the catalog from before the type was there: a change reaches it.
            await bus.Publish(new EventPublished { EventId = "evt_busbefore1", Type = "bus.order.placed", Tenant = "bus-enforced", Data = JsonSerializer.SerializeToElement(new { anything = true }) });
            await subscriber.WaitForAsync(1);
            await CreateTypeAsync("bus.order.placed", SchemaValidation.Enforce);

            await bus.Publish(new EventPublished { EventId = "evt_busbad1", Type = "bus.order.placed", Tenant = "bus-enforced", Data = JsonSerializer.SerializeToElement(new { orderId = "o-1", amount = "ten" }) });
            // Headers only Ingest may set, forged: neither skips the check.
            await bus.Publish(new EventPublished { EventId = "evt_busforged1", Type = "bus.order.placed", Tenant = "bus-enforced", Data = JsonSerializer.SerializeToElement(new { orderId = "o-3" }) },
                context =>
                {
                    context.Headers.Set(Core.Events.EventHeaders.Kept, Core.Events.EventHeaders.KeptValue);
                    context.Headers.Set(Core.Events.EventHeaders.Checked, "key-1:AAAA");
                });
            await bus.Publish(new EventPublished { EventId = "evt_busgood1", Type = "bus.order.placed", Tenant = "bus-enforced", Data = JsonSerializer.SerializeToElement(new { orderId = "o-2", amount = 10, currency = "USD" }) });

            await subscriber.WaitForAsync(2);
            var deadLetters = await Eventually.HoldsAsync(() => system.DeadLettersAsync("reason=invalid_event"),
                l => l.Any(d => d.EventId == "evt_busbad1") && l.Any(d => d.EventId == "evt_busforged1"), "the bad events are dead-lettered");
            var detail = deadLetters.Single(d => d.EventId == "evt_busbad1").Detail;
            Assert.Contains("/data/amount", detail);
            Assert.Contains("currency", detail);
            Assert.Equal(["evt_busbefore1", "evt_busgood1"], subscriber.Received.Select(r => r.Id));
            var counted = PrometheusText.Value(await dispatcherHttp.GetStringAsync("/metrics"), "webhooks_fanout_schema_violations_total", "type=\"bus.order.placed\"", "outcome=\"refused\"");
            Assert.True(counted >= 2, $"counted {counted}");
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Fact]
    public async Task Under_warn_a_bad_event_is_delivered_counted_and_marked_over_http_and_over_the_bus()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await CreateTypeAsync("warned.order.placed", SchemaValidation.Warn);
        await system.CreateEndpointAsync("warned", subscriber.Url, ["warned.*"]);
        var dispatcher = await system.StartDispatcherAsync(FreshCatalog);
        using var dispatcherHttp = new HttpClient { BaseAddress = new Uri(dispatcher.Urls.Single()) };

        var id = await system.PublishAsync("warned", "warned.order.placed", new { orderId = "o-1", amount = -1, currency = "EUR" });
        var bus = await BusAsync();
        try
        {
            await bus.Publish(new EventPublished { EventId = "evt_buswarned1", Type = "warned.order.placed", Tenant = "warned", Data = JsonSerializer.SerializeToElement(new { amount = 3, currency = "EUR" }) });
            await subscriber.WaitForAsync(2);
        }
        finally
        {
            await bus.StopAsync();
        }
        Assert.Equal([id, "evt_buswarned1"], subscriber.Received.Select(r => r.Id).Order(StringComparer.Ordinal));
        var marked = await system.GetEventAsync(id);
        Assert.StartsWith("/data/amount:", Assert.Single(marked.SchemaViolations!));
        var busMarked = await Eventually.HoldsAsync(() => system.GetEventAsync("evt_buswarned1"), v => v.SchemaViolations is not null, "the bus event is marked");
        Assert.StartsWith("/data", Assert.Single(busMarked.SchemaViolations!));
        // The type is this test's own: its series count this test's events only, one each (over HTTP at Ingest; the bus one at fan-out, by this test's dispatcher).
        Assert.Equal(1, PrometheusText.Value(await system.Ingest.GetStringAsync("/metrics"), "webhooks_ingest_schema_violations_total", "type=\"warned.order.placed\"", "outcome=\"accepted\""));
        Assert.Equal(1, PrometheusText.Value(await dispatcherHttp.GetStringAsync("/metrics"), "webhooks_fanout_schema_violations_total", "type=\"warned.order.placed\"", "outcome=\"accepted\""));
        // A conforming event is not marked; under off, a schema documents and checks nothing.
        var clean = await system.PublishAsync("warned", "warned.order.placed", new { orderId = "o-2", amount = 1, currency = "EUR" });
        Assert.Null((await system.GetEventAsync(clean)).SchemaViolations);
        await CreateTypeAsync("warned.order.documented", SchemaValidation.Off);
        var unchecked_ = await system.PublishAsync("warned", "warned.order.documented", new { amount = "not a number" });
        Assert.Null((await system.GetEventAsync(unchecked_)).SchemaViolations);
    }

    [Fact]
    public async Task An_openapi_31_document_round_trips_through_import_and_export()
    {
        var document = JsonNode.Parse("""
            {
              "openapi": "3.1.0",
              "info": {"title": "Billing events", "version": "7"},
              "webhooks": {
                "billing.invoice.paid": {
                  "post": {
                    "summary": "billing.invoice.paid",
                    "description": "An invoice was paid in full.",
                    "x-webhooks-validation": "enforce",
                    "requestBody": {"required": true, "content": {"application/json": {
                      "schema": {"$ref": "#/components/schemas/InvoicePaid"},
                      "examples": {"paid": {"value": {"type": "billing.invoice.paid", "data": {"invoiceId": "in_1", "total": {"amount": 120, "currency": "EUR"}}}}}
                    }}},
                    "responses": {"2XX": {"description": "Taken."}}
                  }
                },
                "billing.invoice.voided": {
                  "post": {
                    "deprecated": true,
                    "description": "Use billing.invoice.cancelled.",
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"invoiceId": {"type": "string"}}}}}},
                    "responses": {"2XX": {"description": "Taken."}}
                  }
                }
              },
              "components": {"schemas": {
                "InvoicePaid": {"type": "object", "properties": {"type": {"const": "billing.invoice.paid"}, "data": {
                  "type": "object", "required": ["invoiceId", "total"],
                  "properties": {"invoiceId": {"type": "string"}, "total": {"$ref": "#/components/schemas/Money"}}}}},
                "Money": {"type": "object", "required": ["amount", "currency"], "properties": {"amount": {"type": "number"}, "currency": {"type": "string", "minLength": 3, "maxLength": 3}}}
              }}
            }
            """)!;
        var imported = await system.Ingest.PostAsJsonAsync("/v1/event-types/import", document);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(["billing.invoice.paid", "billing.invoice.voided"], (await imported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));

        // The catalog holds each type self-contained: the components it used are its own $defs.
        var paid = await system.Ingest.GetFromJsonAsync<EventTypeDefinition>("/v1/event-types/billing.invoice.paid", Core.WebhooksJson.Options);
        Assert.Equal(SchemaValidation.Enforce, paid!.Validation);
        Assert.Equal("An invoice was paid in full.", paid.Description);
        Assert.Equal("#/$defs/Money", paid.Schema!.Value.GetProperty("properties").GetProperty("total").GetProperty("$ref").GetString());
        Assert.Equal(120, Assert.Single(paid.Examples!).GetProperty("total").GetProperty("amount").GetInt32());
        var voided = await system.Ingest.GetFromJsonAsync<EventTypeDefinition>("/v1/event-types/billing.invoice.voided", Core.WebhooksJson.Options);
        Assert.True(voided!.Deprecated);
        Assert.Equal(SchemaValidation.Off, voided.Validation);
        // It is enforced as imported: a total without a currency is refused.
        var refused = await system.Ingest.PostAsJsonAsync("/v1/events", new { type = "billing.invoice.paid", tenant = "billing", data = new { invoiceId = "in_2", total = new { amount = 5 } } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("/data/total", await refused.Content.ReadAsStringAsync());

        // Exported, it says the same; imported again, nothing changes; exported again, the same document.
        var exported = await system.Ingest.GetFromJsonAsync<JsonElement>("/v1/event-types/openapi");
        Assert.StartsWith("3.1", exported.GetProperty("openapi").GetString());
        var exportedPaid = exported.GetProperty("webhooks").GetProperty("billing.invoice.paid").GetProperty("post");
        Assert.Equal("enforce", exportedPaid.GetProperty("x-webhooks-validation").GetString());
        var envelope = exportedPaid.GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        Assert.Equal("billing.invoice.paid", envelope.GetProperty("schema").GetProperty("properties").GetProperty("type").GetProperty("const").GetString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(paid.Schema.Value.GetRawText()),
            WithoutId(envelope.GetProperty("schema").GetProperty("properties").GetProperty("data"))));
        Assert.True(exported.GetProperty("webhooks").GetProperty("billing.invoice.voided").GetProperty("post").GetProperty("deprecated").GetBoolean());

        var again = await system.Ingest.PostAsJsonAsync("/v1/event-types/import", exported);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replaced = (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replaced").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("billing.invoice.paid", replaced);
        Assert.Contains("billing.invoice.voided", replaced);
        var reexported = await system.Ingest.GetFromJsonAsync<JsonElement>("/v1/event-types/openapi");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(exported.GetProperty("webhooks").GetRawText()), JsonNode.Parse(reexported.GetProperty("webhooks").GetRawText())));
        var types = await system.Ingest.GetFromJsonAsync<JsonElement>("/v1/event-types");
        Assert.Equal(paid.CreatedAt, types.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "billing.invoice.paid").GetProperty("createdAt").GetDateTimeOffset());
    }

    private static JsonNode? WithoutId(JsonElement schema)
    {
        var node = JsonNode.Parse(schema.GetRawText())!.AsObject();
        node.Remove("$id");
        return node;
    }

    [Fact]
    public async Task Hostile_or_broken_schemas_and_documents_are_refused_and_nothing_is_stored()
    {
        var before = await CatalogTextAsync();
        string Nested(int levels) => string.Concat(Enumerable.Repeat("{\"not\":", levels)) + "{}" + new string('}', levels);
        var hostile = new (string Case, string Body, HttpStatusCode Status, string Says)[]
        {
            ("not JSON Schema", """{"name":"h.one","schema":{"type":"nonsense"}}""", HttpStatusCode.BadRequest, "/type"),
            ("a remote $ref", """{"name":"h.two","schema":{"$ref":"https://schemas.example.com/order.json"}}""", HttpStatusCode.BadRequest, "nothing outside it is ever fetched"),
            ("a relative $ref", """{"name":"h.three","schema":{"properties":{"a":{"$ref":"other.json#/x"}}}}""", HttpStatusCode.BadRequest, "/properties/a/$ref"),
            ("a $ref to nothing", """{"name":"h.four","schema":{"$ref":"#/$defs/missing"}}""", HttpStatusCode.BadRequest, "must point into this schema"),
            ("an $id inside", """{"name":"h.five","schema":{"properties":{"a":{"$id":"https://elsewhere.example/a"}}}}""", HttpStatusCode.BadRequest, "only the schema's root"),
            ("$dynamicRef", """{"name":"h.six","schema":{"$dynamicRef":"#meta"}}""", HttpStatusCode.BadRequest, "not supported"),
            ("draft-07", """{"name":"h.seven","schema":{"$schema":"http://json-schema.org/draft-07/schema#"}}""", HttpStatusCode.BadRequest, "2020-12"),
            ("40 levels", "{\"name\":\"h.eight\",\"schema\":" + Nested(40) + "}", HttpStatusCode.BadRequest, "deeper than 32"),
            ("10,000 levels", "{\"name\":\"h.nine\",\"schema\":" + Nested(10_000) + "}", HttpStatusCode.BadRequest, "not valid JSON"),
            ("1 MB", "{\"name\":\"h.ten\",\"schema\":{\"description\":\"" + new string('x', 1024 * 1024) + "\"}}", HttpStatusCode.RequestEntityTooLarge, "larger than the limit"),
            ("70 KiB", "{\"name\":\"h.eleven\",\"schema\":{\"description\":\"" + new string('x', 70 * 1024) + "\"}}", HttpStatusCode.BadRequest, "larger than 64 KiB"),
            ("an example the schema refuses", """{"name":"h.twelve","schema":{"required":["id"]},"examples":[{"other":1}]}""", HttpStatusCode.BadRequest, "examples[0]"),
            ("enforce without a schema", """{"name":"h.thirteen","validation":"enforce"}""", HttpStatusCode.BadRequest, "give it a schema"),
            ("an unknown mode", """{"name":"h.fourteen","schema":{},"validation":"strict"}""", HttpStatusCode.BadRequest, "not a validation mode"),
            ("a wildcard name", """{"name":"order.*"}""", HttpStatusCode.BadRequest, "not an event type"),
            ("a route's name", """{"name":"openapi"}""", HttpStatusCode.BadRequest, "catalog's own routes"),
            ("the platform's own", """{"name":"webhooks.endpoint.disabled"}""", HttpStatusCode.BadRequest, "platform's own"),
            ("a schema that is a list", """{"name":"h.fifteen","schema":[1,2]}""", HttpStatusCode.BadRequest, "JSON object"),
        };
        foreach (var (name, body, status, says) in hostile)
        {
            var response = await system.Ingest.PostAsync("/v1/event-types", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{name}: {(int)response.StatusCode} {text}");
            Assert.True(text.Contains(says, StringComparison.Ordinal), $"{name}: the answer does not say '{says}': {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // An import with one bad type among good ones stores none of them.
        var import = await system.Ingest.PostAsJsonAsync("/v1/event-types/import", JsonNode.Parse("""
            {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "webhooks": {
              "h.good": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}},
              "h.bad": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "https://evil.example/s.json"}}}}}}
            }}
            """));
        Assert.Equal(HttpStatusCode.BadRequest, import.StatusCode);
        Assert.Contains("webhooks.h.bad.schema", await import.Content.ReadAsStringAsync());
        var swagger = await system.Ingest.PostAsJsonAsync("/v1/event-types/import", new { swagger = "2.0", paths = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, swagger.StatusCode);
        // Documents of odd shapes: each a clear 400, never a failure of the server.
        string[] odd =
        [
            """{"openapi":"3.1.0","webhooks":{"h.a":{"post":{"requestBody":"text"}}}}""",
            """{"openapi":"3.1.0","webhooks":{"h.a":{"post":{"requestBody":{"content":[1]}}}}}""",
            """{"openapi":"3.1.0","webhooks":{"h.a":{"post":{"requestBody":{"content":{"text/plain":{"schema":{}}}}}}}}""",
            """{"openapi":"3.1.0","components":"none","webhooks":{"h.a":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}}""",
            """{"openapi":"3.1.0","webhooks":{"h.a":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/$defs/x","$defs":[]}}}}}}}}""",
            """{"openapi":"3.1.0","webhooks":{"h.a":{"post":{"requestBody":{"$ref":"#/components/requestBodies/Missing"}}}}}""",
            """{"openapi":"3.1.0","components":{"schemas":{"A":{"properties":{"b":{"$ref":"#/components/schemas/B"}}},"B":{"allOf":[{"$ref":"#/components/schemas/B"}]}}},"webhooks":{"h.a":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}}""",
            """{"openapi":"3.1.0","components":{"schemas":{"A":{"type":"string"}}},"webhooks":{"h.a":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/A/type"}}}}}}}}""",
            """{"openapi":"3.1.0","webhooks":[1,2]}""",
        ];
        foreach (var document in odd)
        {
            var response = await system.Ingest.PostAsync("/v1/event-types/import", new StringContent(document, Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{document}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        // A key bound to a tenant reads the catalog, and cannot write it.
        var created = await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant = "bound" });
        var bound = WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, (await bound.GetAsync("/v1/event-types")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bound.PostAsJsonAsync("/v1/event-types", new { name = "h.bound" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bound.PostAsync("/v1/event-types/import", new StringContent("""{"openapi":"3.1.0","webhooks":{}}""", Encoding.UTF8, "application/json"))).StatusCode);
        // An update or a deletion of a type that is not there.
        Assert.Equal(HttpStatusCode.NotFound, (await system.Ingest.PatchAsJsonAsync("/v1/event-types/h.none", new { deprecated = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await system.Ingest.DeleteAsync("/v1/event-types/h.none")).StatusCode);
        Assert.Equal(before, await CatalogTextAsync());
    }

    [Fact]
    public async Task Types_are_changed_and_deleted_and_a_strict_catalog_lets_endpoints_subscribe_only_to_known_types()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await CreateTypeAsync("strict.order.placed", SchemaValidation.Off);
        Assert.Equal(HttpStatusCode.Conflict, (await system.Ingest.PostAsJsonAsync("/v1/event-types", new { name = "strict.order.placed" })).StatusCode);
        var patched = await system.Ingest.PatchAsJsonAsync("/v1/event-types/strict.order.placed", new { deprecated = true, validation = "warn" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var changed = (await patched.Content.ReadFromJsonAsync<EventTypeDefinition>(Core.WebhooksJson.Options))!;
        Assert.True(changed.Deprecated);
        Assert.Equal("An strict.order.placed event.", changed.Description);
        // Removing the schema of a type that checks against it is refused; so is renaming it.
        Assert.Equal(HttpStatusCode.BadRequest, (await system.Ingest.PatchAsync("/v1/event-types/strict.order.placed", new StringContent("""{"schema":null}""", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await system.Ingest.PatchAsJsonAsync("/v1/event-types/strict.order.placed", new { name = "strict.order.renamed" })).StatusCode);

        var strict = await system.StartIngestAsync(new Dictionary<string, string?>(FreshCatalog) { ["Webhooks:Catalog:Strict"] = "true" });
        var unknown = await strict.PostAsJsonAsync("/v1/endpoints", new { tenant = "strict", url = subscriber.Url, eventTypes = new[] { "strict.order.placed", "strict.order.shipped" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        var problem = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("strict.order.shipped", problem.GetProperty("errors").GetProperty("eventTypes")[0].GetString());
        Assert.Empty((await strict.GetFromJsonAsync<Webhooks.Ingest.Endpoints.EndpointPage>("/v1/endpoints?tenant=strict"))!.Data);
        var known = await strict.PostAsJsonAsync("/v1/endpoints", new { tenant = "strict", url = subscriber.Url, eventTypes = new[] { "strict.order.placed", "strict.*", "webhooks.endpoint.disabled" } });
        Assert.Equal(HttpStatusCode.Created, known.StatusCode);
        var endpointId = (await known.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        // A filter tried on a type the catalog does not have is refused too.
        var tried = await strict.PostAsJsonAsync($"/v1/endpoints/{endpointId}/filter/test", new { type = "strict.order.lost", data = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, tried.StatusCode);
        Assert.Equal("application/problem+json", tried.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not in the event-type catalog", await tried.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await system.Ingest.DeleteAsync("/v1/event-types/strict.order.placed")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await system.Ingest.GetAsync("/v1/event-types/strict.order.placed")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await strict.PatchAsJsonAsync($"/v1/endpoints/{endpointId}", new { eventTypes = new[] { "strict.order.placed" } })).StatusCode);
    }

    private async Task<string> CatalogTextAsync() => await system.Ingest.GetStringAsync("/v1/event-types");

    private async Task<IBusControl> BusAsync()
    {
        var (user, password) = (Uri.UnescapeDataString(system.RabbitMq.UserInfo.Split(':')[0]), Uri.UnescapeDataString(system.RabbitMq.UserInfo.Split(':')[1]));
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(system.RabbitMq.Host, (ushort)system.RabbitMq.Port, system.VirtualHost, h =>
        {
            h.Username(user);
            h.Password(password);
        }));
        await bus.StartAsync();
        return bus;
    }
}
