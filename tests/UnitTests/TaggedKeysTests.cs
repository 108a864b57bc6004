using Webhooks.Core.Storage;

namespace Webhooks.UnitTests;

public sealed class TaggedKeysTests
{
    [Theory]
    [InlineData("endpoint:ep_1", "endpoint:{ep_1}")]
    [InlineData("endpoint:ep_1:stats:5m:123", "endpoint:{ep_1}:stats:5m:123")]
    [InlineData("event:evt_1:deliveries", "event:{evt_1}:deliveries")]
    [InlineData("tenant:acme.eu:endpoints:version", "tenant:{acme.eu}:endpoints:version")]
    [InlineData("delivery:dlv_1:attempts", "event:{evt_9}:delivery:dlv_1:attempts")]
    public void A_key_from_before_tags_gets_its_owners_tag(string old, string tagged) =>
        Assert.Equal(tagged, TaggedKeysMigration.TaggedName(old, () => "evt_9"));

    [Theory]
    [InlineData("endpoint:{ep_1}")]
    [InlineData("tenant:acme")]
    [InlineData("delivery:dlv_1:attempts")]
    public void A_key_already_tagged_or_that_cannot_be_placed_is_left(string name) =>
        Assert.Null(TaggedKeysMigration.TaggedName(name, () => null));

    [Fact]
    public void Every_key_of_one_owner_carries_the_same_tag_and_nothing_else_in_braces()
    {
        Assert.Equal("endpoint:{ep_1}", RedisKeys.Endpoint("ep_1"));
        Assert.Equal("endpoint:{ep_1}:attempts", RedisKeys.Endpoint("ep_1", "attempts"));
        Assert.Equal("event:{evt_1}:delivery:dlv_1:attempts", RedisKeys.Event("evt_1", "delivery:dlv_1:attempts"));
        Assert.Equal("tenant:{acme}:quota:events", RedisKeys.Tenant("acme", "quota:events"));
    }
}
