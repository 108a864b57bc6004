using System.Text.Json;
using Webhooks.Core.Endpoints;

namespace Webhooks.UnitTests;

public class PayloadFilterTests
{
    private static PayloadFilter Compile(string filter)
    {
        var compiled = PayloadFilter.Compile(JsonDocument.Parse(filter).RootElement, out var errors);
        Assert.Empty(errors);
        return compiled!;
    }

    private static JsonElement Data(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("""{"data.amount": 100}""", """{"amount": 100.0}""", true)]
    [InlineData("""{"data.amount": 100}""", """{"amount": "100"}""", false)]
    [InlineData("""{"data.amount": {"$gte": 100, "$lt": 200}}""", """{"amount": 199.99}""", true)]
    [InlineData("""{"data.amount": {"$gte": 100, "$lt": 200}}""", """{"amount": 200}""", false)]
    [InlineData("""{"data.amount": {"$lte": 100}}""", """{"amount": 100}""", true)]
    [InlineData("""{"data.amount": {"$lte": 100}}""", """{"amount": 100.01}""", false)]
    [InlineData("""{"data.at": {"$lte": "2026-12-06"}}""", """{"at": "2026-12-06T10:00:00Z"}""", false)]
    [InlineData("""{"data.at": {"$gt": "2026-12-01"}}""", """{"at": "2026-12-06T10:00:00Z"}""", true)]
    [InlineData("""{"data.amount": {"$gt": 5}}""", """{"amount": "9"}""", false)]
    [InlineData("""{"data.currency": {"$in": ["EUR", "USD"]}}""", """{"currency": "EUR"}""", true)]
    [InlineData("""{"data.currency": {"$in": ["EUR", "USD"]}}""", """{}""", false)]
    [InlineData("""{"data.currency": {"$nin": ["EUR", "USD"]}}""", """{}""", true)]
    [InlineData("""{"data.currency": {"$ne": "EUR"}}""", """{"currency": null}""", true)]
    [InlineData("""{"data.customer": null}""", """{"customer": null}""", true)]
    [InlineData("""{"data.customer.vip": {"$exists": false}}""", """{"customer": {"vip": false}}""", false)]
    [InlineData("""{"data.items.1.sku": "b"}""", """{"items": [{"sku": "a"}, {"sku": "b"}]}""", true)]
    [InlineData("""{"data.items.2.sku": "b"}""", """{"items": [{"sku": "a"}, {"sku": "b"}]}""", false)]
    [InlineData("""{"$or": [{"data.a": 1}, {"data.b": 1}], "data.c": true}""", """{"b": 1, "c": true}""", true)]
    [InlineData("""{"$and": [{"data.a": 1}, {"$not": {"data.b": 1}}]}""", """{"a": 1, "b": 1}""", false)]
    public void A_filter_matches_by_its_documented_rules(string filter, string data, bool matches) =>
        Assert.Equal(matches, Compile(filter).Matches(Data(data)));

    [Fact]
    public void An_event_without_data_matches_only_what_asks_for_absence()
    {
        Assert.False(Compile("""{"data.a": 1}""").Matches(null));
        Assert.True(Compile("""{"data.a": {"$exists": false}}""").Matches(null));
    }

    [Fact]
    public void The_clause_that_decided_is_named_as_the_filter_wrote_it()
    {
        var filter = Compile("""{"data.amount": {"$gte": 100}, "data.currency": {"$in": ["EUR", "USD"]}}""");

        Assert.Null(filter.Explain(Data("""{"amount": 120, "currency": "USD"}""")));
        Assert.Equal("""{"data.currency": {"$in": ["EUR", "USD"]}}""", filter.Explain(Data("""{"amount": 120, "currency": "GBP"}""")));
    }

    [Fact]
    public void An_empty_object_is_no_filter_and_saved_filters_compile_again()
    {
        Assert.Null(PayloadFilter.Compile(Data("{}"), out var errors));
        Assert.Empty(errors);
        Assert.Null(PayloadFilter.CompileSaved(null));
        Assert.True(PayloadFilter.CompileSaved(Data("""{"data.a": 1}"""))!.Matches(Data("""{"a": 1}""")));
    }
}
