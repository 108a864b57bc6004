using Webhooks.Core.Endpoints;

namespace Webhooks.UnitTests;

public sealed class EventTypeFilterTests
{
    [Theory]
    [InlineData("*", "order.created", true)]
    [InlineData("order.created", "order.created", true)]
    [InlineData("order.created", "order.updated", false)]
    [InlineData("order.*", "order.created", true)]
    [InlineData("order.*", "order.line.added", true)]
    [InlineData("order.*", "order", false)]
    [InlineData("order.*", "orders.created", false)]
    [InlineData("order.line.*", "order.created", false)]
    public void A_pattern_matches_exact_names_and_the_types_below_a_wildcard(string pattern, string type, bool matches) =>
        Assert.Equal(matches, EventTypeFilter.Matches(pattern, type));

    [Theory]
    [InlineData("*", true)]
    [InlineData("order.*", true)]
    [InlineData("order.created", true)]
    [InlineData("", false)]
    [InlineData("Order.Created", false)]
    [InlineData("order.*.created", false)]
    [InlineData("*.created", false)]
    [InlineData("order..created", false)]
    [InlineData("order.**", false)]
    public void Only_names_and_trailing_wildcards_are_patterns(string pattern, bool valid) =>
        Assert.Equal(valid, EventTypeFilter.IsValidPattern(pattern));

    [Fact]
    public void An_endpoint_subscribes_when_any_of_its_patterns_matches() =>
        Assert.True(EventTypeFilter.Matches(["invoice.paid", "order.*"], "order.shipped"));

    [Theory]
    [InlineData("*", false)]
    [InlineData("webhooks.*", true)]
    [InlineData("webhooks.endpoint.*", true)]
    [InlineData("webhooks.endpoint.disabled", true)]
    [InlineData("webhooks.delivery.*", false)]
    public void The_platforms_own_events_are_had_only_by_name_or_prefix(string pattern, bool matches) =>
        Assert.Equal(matches, EventTypeFilter.Matches(pattern, "webhooks.endpoint.disabled"));
}
