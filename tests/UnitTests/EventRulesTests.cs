using System.Text.Json;
using Webhooks.Core.Events;

namespace Webhooks.UnitTests;

public sealed class EventRulesTests
{
    private static readonly JsonElement Data = JsonDocument.Parse("{\"id\":1}").RootElement;

    [Fact]
    public void A_typed_event_of_a_tenant_with_data_is_valid() =>
        Assert.Empty(EventRules.Check("order.created", "acme", Data, null));

    [Fact]
    public void A_thin_event_with_only_a_resource_is_valid() =>
        Assert.Empty(EventRules.Check("order.created", "acme", null, "https://api.example.com/orders/1"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Order.Created")]
    [InlineData("order created")]
    [InlineData(".order")]
    [InlineData("order.")]
    public void An_event_type_must_be_lowercase_and_dotted(string? type) =>
        Assert.Contains("type", EventRules.Check(type, "acme", Data, null).Keys);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("acme corp")]
    [InlineData("-acme")]
    public void A_tenant_is_required_and_plain(string? tenant) =>
        Assert.Contains("tenant", EventRules.Check("order.created", tenant, Data, null).Keys);

    [Fact]
    public void Data_must_be_an_object_and_something_must_be_sent()
    {
        Assert.Contains("data", EventRules.Check("order.created", "acme", JsonDocument.Parse("[1]").RootElement, null).Keys);
        Assert.Contains("data", EventRules.Check("order.created", "acme", null, null).Keys);
    }

    [Theory]
    [InlineData("ftp://example.com/x")]
    [InlineData("https://user:secret@example.com/x")]
    [InlineData("/orders/1")]
    public void A_resource_is_an_http_url_without_credentials(string resource) =>
        Assert.Contains("resource", EventRules.Check("order.created", "acme", Data, resource).Keys);

    [Theory]
    [InlineData(32, true)]
    [InlineData(33, false)]
    public void Data_may_nest_32_levels_of_objects_and_arrays(int levels, bool accepted)
    {
        // Objects and arrays in turn, levels deep in all (the outermost object counts as one).
        var json = string.Concat(Enumerable.Range(0, levels).Select(i => i % 2 == 0 ? "{\"a\":" : "[")) + "1"
            + string.Concat(Enumerable.Range(0, levels).Reverse().Select(i => i % 2 == 0 ? "}" : "]"));
        var errors = EventRules.Check("order.created", "acme", JsonDocument.Parse(json).RootElement, null);

        Assert.Equal(accepted, !errors.ContainsKey("data"));
    }
}
