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
        Assert.Equal("endpoint:{ep_1}", RedisKeys.Endpoint.Record("ep_1"));
        Assert.Equal("endpoint:{ep_1}:attempts", RedisKeys.Endpoint.Attempts("ep_1"));
        Assert.Equal("event:{evt_1}:delivery:dlv_1:attempts", RedisKeys.Delivery.Attempts("evt_1", "dlv_1"));
        Assert.Equal("tenant:{acme}:quota:events", RedisKeys.Tenant.EventsQuota("acme"));
    }

    [Theory]
    // As Redis's CLUSTER KEYSLOT answers them.
    [InlineData("foo", 12182)]
    [InlineData("123456789", 12739)]
    [InlineData("", 0)]
    public void A_slot_is_what_redis_computes(string tag, int slot) => Assert.Equal(slot, RedisSlots.Of(tag));

    [Fact]
    public void Shard_tags_spread_one_to_each_equal_range_of_slots_so_three_primaries_get_a_third_each()
    {
        var slots = RedisSlots.SpreadTags("dl", 16).Select(RedisSlots.Of).ToList();

        Assert.Equal(Enumerable.Range(0, 16), slots.Select(slot => slot * 16 / RedisSlots.Count));
        // redis-cli --cluster create splits 16384 slots into 0-5460, 5461-10922, 10923-16383.
        Assert.All(new[] { (0, 5461), (5461, 10923), (10923, 16384) }, range => Assert.InRange(slots.Count(s => s >= range.Item1 && s < range.Item2), 5, 6));
    }
}
