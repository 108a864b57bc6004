using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Webhooks.Ingest.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class PayloadFilterTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    [Fact]
    public async Task Three_endpoints_with_different_filters_each_get_exactly_the_events_their_filter_matches()
    {
        await using var large = await Subscriber.StartAsync();
        await using var european = await Subscriber.StartAsync();
        await using var flagged = await Subscriber.StartAsync();
        const string tenant = "filtered";
        var (largeId, _) = await system.CreateEndpointAsync(tenant, large.Url, ["order.*"], new { filter = new Dictionary<string, object> { ["data.amount"] = new Dictionary<string, object> { ["$gte"] = 100 } } });
        var (europeanId, _) = await system.CreateEndpointAsync(tenant, european.Url, ["order.created"], new
        {
            filter = JsonDocument.Parse("""{"data.currency": {"$in": ["EUR", "CHF"]}, "data.customer.country": {"$nin": ["GB"]}}""").RootElement,
        });
        var (flaggedId, _) = await system.CreateEndpointAsync(tenant, flagged.Url, ["*"], new
        {
            filter = JsonDocument.Parse("""{"$or": [{"data.priority": "high"}, {"data.tags.0": {"$exists": true}, "$not": {"data.test": true}}]}""").RootElement,
        });

        string[] types = ["order.created", "order.paid", "invoice.sent"];
        string[] currencies = ["EUR", "USD", "CHF", "GBP"];
        string[] countries = ["DE", "GB", "FR"];
        var events = Enumerable.Range(0, 200).Select(i => new Sample(
            i,
            types[i % types.Length],
            Amount: i % 7 == 0 ? 100 : i * 3 % 250,
            Currency: currencies[i / 3 % currencies.Length],
            Country: i % 11 == 0 ? null : countries[i / 2 % countries.Length],
            Priority: i % 5 == 0 ? "high" : i % 5 == 1 ? "HIGH" : "low",
            Tags: i % 4 == 0 ? ["vip"] : [],
            Test: i % 8 == 0)).ToList();
        var ids = new string[events.Count];
        await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, _) =>
            ids[e.Index] = await system.PublishAsync(tenant, e.Type, e.Data()));

        // What each filter should let through, written here by hand and not by the filter's code.
        var expectLarge = events.Where(e => e.Type.StartsWith("order.", StringComparison.Ordinal) && e.Amount >= 100).Select(e => ids[e.Index]).ToHashSet();
        var expectEuropean = events.Where(e => e.Type == "order.created" && e.Currency is "EUR" or "CHF" && e.Country != "GB").Select(e => ids[e.Index]).ToHashSet();
        var expectFlagged = events.Where(e => e.Priority == "high" || (e.Tags.Length > 0 && !e.Test)).Select(e => ids[e.Index]).ToHashSet();
        Assert.All(new[] { expectLarge, expectEuropean, expectFlagged }, expected => Assert.InRange(expected.Count, 10, 190));

        await large.WaitForAsync(expectLarge.Count);
        await european.WaitForAsync(expectEuropean.Count);
        await flagged.WaitForAsync(expectFlagged.Count);
        // Every event fanned out (none left in the queues) before the count, so a wrongly matched one had its chance to arrive.
        await Eventually.HoldsAsync(async () => await system.QueueDepthAsync("webhooks-fan-out") + await system.QueueDepthAsync("webhooks-delivery"),
            depth => depth == 0, "the fan-out and delivery queues are empty");
        Assert.Equal(expectLarge, large.Received.Select(r => r.Id).ToHashSet());
        Assert.Equal(expectEuropean, european.Received.Select(r => r.Id).ToHashSet());
        Assert.Equal(expectFlagged, flagged.Received.Select(r => r.Id).ToHashSet());
        // And by the records, which a wrongly matched event would have had from its fan-out on, however late it arrived:
        // once every fan-out is over, each event is a delivery of exactly the endpoints whose filter it passes.
        var claims = system.Service<Core.Events.FanOutClaims>();
        await Eventually.HoldsAsync(async () => (await Task.WhenAll(ids.Select(claims.IsDoneAsync))).Count(done => !done), left => left == 0, "every event's fan-out is over");
        (string Endpoint, HashSet<string> Takes)[] expectations = [(largeId, expectLarge), (europeanId, expectEuropean), (flaggedId, expectFlagged)];
        foreach (var id in ids)
        {
            var expected = expectations.Where(x => x.Takes.Contains(id)).Select(x => x.Endpoint).Order(StringComparer.Ordinal);
            Assert.Equal(expected, (await system.GetEventAsync(id)).Deliveries.Select(d => d.EndpointId).Order(StringComparer.Ordinal));
        }

        // An event a filter kept from an endpoint is no delivery of it: nothing recorded, nothing pending.
        var skipped = events.First(e => e.Type == "invoice.sent" && !expectFlagged.Contains(ids[e.Index]));
        var view = await system.GetEventAsync(ids[skipped.Index]);
        Assert.Empty(view.Deliveries);
        // Asked why, it names each endpoint and its reason: the two order endpoints by their types, the third by its filter.
        var explained = await system.Ingest.GetFromJsonAsync<JsonElement>($"/v1/events/{ids[skipped.Index]}?explain=true");
        var unmatched = explained.GetProperty("unmatched").EnumerateArray().ToList();
        Assert.Equal(3, unmatched.Count);
        Assert.Equal(2, unmatched.Count(u => u.GetProperty("reason").GetString()!.Contains("do not include 'invoice.sent'", StringComparison.Ordinal)));
        Assert.StartsWith("{\"$or\": [", Assert.Single(unmatched, u => u.GetProperty("clause").ValueKind == JsonValueKind.String).GetProperty("clause").GetString());
        // A delivered event lists no endpoint that took it.
        var taken = await system.Ingest.GetFromJsonAsync<JsonElement>($"/v1/events/{expectLarge.First()}?explain=true");
        Assert.DoesNotContain(taken.GetProperty("unmatched").EnumerateArray(), u => u.GetProperty("endpointId").GetString() == largeId);
    }

    [Fact]
    public async Task A_filter_is_shown_as_given_changed_by_a_patch_and_removed_with_an_empty_object()
    {
        await using var subscriber = await Subscriber.StartAsync();
        // Its endpoint takes every event of the tenant: once it has one, that event's fan-out is over for every endpoint.
        await using var witness = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("filtered-edit", witness.Url, ["order.*"]);
        var (id, _) = await system.CreateEndpointAsync("filtered-edit", subscriber.Url, ["order.*"],
            new { filter = JsonDocument.Parse("""{"data.amount": {"$gt": 5}}""").RootElement });

        var shown = await system.Ingest.GetFromJsonAsync<EndpointView>($"/v1/endpoints/{id}");
        Assert.Equal(5, shown!.Filter!.Value.GetProperty("data.amount").GetProperty("$gt").GetInt32());

        await system.PublishAsync("filtered-edit", "order.created", new { amount = 1 });
        await witness.WaitForAsync(1);
        Assert.Empty(subscriber.Received);
        var patched = await system.Ingest.PatchAsJsonAsync($"/v1/endpoints/{id}", new { filter = JsonDocument.Parse("""{"data.amount": {"$lt": 5}}""").RootElement });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var second = await system.PublishAsync("filtered-edit", "order.created", new { amount = 2 });
        await subscriber.WaitForAsync(1);
        Assert.Equal(second, Assert.Single(subscriber.Received).Id);

        var cleared = await system.Ingest.PatchAsJsonAsync($"/v1/endpoints/{id}", new { filter = new { } });
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Null((await cleared.Content.ReadFromJsonAsync<EndpointView>())!.Filter);
        var third = await system.PublishAsync("filtered-edit", "order.created", new { amount = 50 });
        await subscriber.WaitForAsync(2);
        Assert.Contains(third, subscriber.Received.Select(r => r.Id));
    }

    [Fact]
    public async Task A_filter_test_says_whether_an_event_would_be_delivered_and_which_clause_decided()
    {
        var (id, _) = await system.CreateEndpointAsync("filter-test", "http://127.0.0.1:9/hook", ["order.*"],
            new { filter = JsonDocument.Parse("""{"data.amount": {"$gte": 100}, "data.currency": {"$in": ["EUR", "USD"]}}""").RootElement });
        var small = await system.PublishAsync("filter-test", "order.created", new { amount = 20, currency = "EUR" });
        var elsewhere = await system.PublishAsync("filter-test-other", "order.created", new { amount = 500, currency = "EUR" });

        async Task<(HttpStatusCode Status, JsonElement Body)> TestAsync(object body)
        {
            var response = await system.Ingest.PostAsJsonAsync($"/v1/endpoints/{id}/filter/test", body);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        var stored = await TestAsync(new { eventId = small });
        Assert.Equal(HttpStatusCode.OK, stored.Status);
        Assert.False(stored.Body.GetProperty("matches").GetBoolean());
        Assert.Equal("""{"data.amount": {"$gte": 100}}""", stored.Body.GetProperty("clause").GetString());

        var given = await TestAsync(new { type = "order.paid", data = new { amount = 150, currency = "USD" } });
        Assert.True(given.Body.GetProperty("matches").GetBoolean());

        var otherType = await TestAsync(new { type = "invoice.sent", data = new { amount = 150, currency = "USD" } });
        Assert.False(otherType.Body.GetProperty("matches").GetBoolean());
        Assert.Contains("'invoice.sent' is not among the endpoint's event types", otherType.Body.GetProperty("reason").GetString());

        // A filter tried before it is saved: tested, and the endpoint keeps its own.
        var trial = await TestAsync(new { eventId = small, filter = JsonDocument.Parse("""{"data.amount": {"$lt": 50}}""").RootElement });
        Assert.True(trial.Body.GetProperty("matches").GetBoolean());
        var kept = await system.Ingest.GetFromJsonAsync<EndpointView>($"/v1/endpoints/{id}");
        Assert.Equal(100, kept!.Filter!.Value.GetProperty("data.amount").GetProperty("$gte").GetInt32());

        Assert.Equal(HttpStatusCode.NotFound, (await TestAsync(new { eventId = elsewhere })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await TestAsync(new { eventId = "evt_nosuchevent" })).Status);
        var badFilter = await TestAsync(new { eventId = small, filter = JsonDocument.Parse("""{"data.a": {"$regex": "x"}}""").RootElement });
        Assert.Equal(HttpStatusCode.BadRequest, badFilter.Status);
        Assert.True(badFilter.Body.GetProperty("errors").TryGetProperty("filter", out _));
        var neither = await TestAsync(new { data = new { amount = 1 } });
        Assert.Equal(HttpStatusCode.BadRequest, neither.Status);
        var both = await TestAsync(new { eventId = small, type = "order.paid" });
        Assert.Equal(HttpStatusCode.BadRequest, both.Status);
    }

    public static TheoryData<string, string> HostileFilters() => new()
    {
        { string.Concat(Enumerable.Repeat("{\"$not\": ", 20)) + "{\"data.a\": 1}" + new string('}', 20), "deeper than 8" },
        { "{" + string.Join(", ", Enumerable.Range(0, 1000).Select(i => $"\"data.f{i}\": {i}")) + "}", "larger than 4096 bytes" },
        { "{\"$and\": [" + string.Join(", ", Enumerable.Range(0, 100).Select(i => $"{{\"data.f{i}\": 1}}")) + "]}", "more than 64 conditions" },
        { "{\"data." + string.Join(".", Enumerable.Range(0, 100).Select(i => $"f{i}")) + "\": 1}", "deeper than 16 fields" },
        { """{"data.name": {"$regex": "^a.*"}}""", "'$regex' on 'data.name' is not an operator" },
        { """{"$where": "this.amount > 1"}""", "'$where' is not an operator here" },
        { """{"amount": 1}""", "'amount' is not a path into the event's data" },
        { """{"data.amount": {"$gt": {"$numberLong": "1"}}}""", "$gt on 'data.amount' takes a number or a string" },
        { """{"data.amount": {"$in": []}}""", "takes a list of 1 to 100" },
        { """{"data.amount": {}}""", "is empty" },
        { """["data.amount"]""", "must be a JSON object" },
        { """{"$or": {"data.a": 1}}""", "$or takes a non-empty list of filters" },
    };

    [Theory]
    [MemberData(nameof(HostileFilters))]
    public async Task A_hostile_or_malformed_filter_is_refused_with_its_reason_and_nothing_is_stored(string filter, string reason)
    {
        const string tenant = "filtered-hostile";
        var before = await system.Ingest.GetFromJsonAsync<JsonElement>($"/v1/endpoints?tenant={tenant}");
        var body = $$"""{"tenant": "{{tenant}}", "url": "http://127.0.0.1:9/hook", "eventTypes": ["order.*"], "filter": {{filter}}}""";

        var response = await system.Ingest.PostAsync("/v1/endpoints", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").GetProperty("filter").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(errors, e => e!.Contains(reason, StringComparison.Ordinal));
        var after = await system.Ingest.GetFromJsonAsync<JsonElement>($"/v1/endpoints?tenant={tenant}");
        Assert.Equal(before.GetProperty("data").GetArrayLength(), after.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(HostileFilters))]
    public async Task A_hostile_or_malformed_filter_sent_to_change_an_endpoint_is_refused_and_the_endpoint_keeps_its_own(string filter, string reason)
    {
        var (id, _) = await system.CreateEndpointAsync("filtered-hostile-patch", "http://127.0.0.1:9/hook", ["order.*"], new { filter = new Dictionary<string, object> { ["data.amount"] = new Dictionary<string, int> { ["$gte"] = 0 } } });
        var before = (await system.Ingest.GetFromJsonAsync<JsonElement>($"/v1/endpoints/{id}")).GetRawText();

        var response = await system.Ingest.PatchAsync($"/v1/endpoints/{id}", new StringContent($$"""{"filter": {{filter}}}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(problem.GetProperty("errors").GetProperty("filter").EnumerateArray(), e => e.GetString()!.Contains(reason, StringComparison.Ordinal));
        // Nothing changed: not the filter, not the version, not the time of the last change.
        Assert.Equal(before, (await system.Ingest.GetFromJsonAsync<JsonElement>($"/v1/endpoints/{id}")).GetRawText());
    }

    private sealed record Sample(int Index, string Type, int Amount, string Currency, string? Country, string Priority, string[] Tags, bool Test)
    {
        public object Data() => Country is null
            ? new { amount = Amount, currency = Currency, priority = Priority, tags = Tags, test = Test }
            : new { amount = Amount, currency = Currency, customer = new { country = Country }, priority = Priority, tags = Tags, test = Test };
    }
}
