using Microsoft.Extensions.Time.Testing;
using Webhooks.Core;

namespace Webhooks.UnitTests;

public sealed class RecentlyUsedTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void An_entry_unused_for_the_idle_time_is_dropped_at_the_next_use()
    {
        var map = new RecentlyUsed<string, string>(1000, TimeSpan.FromMinutes(10), _clock);
        for (var i = 0; i < 100; i++)
        {
            map.Set($"ep_{i}", "whsec_secret");
        }
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(map.TryGetValue("ep_7", out _));

        _clock.Advance(TimeSpan.FromMinutes(6));
        map.Set("ep_new", "whsec_other");

        // ep_7 was used 6 minutes ago; the others 11.
        Assert.Equal(2, map.Count);
        Assert.True(map.TryGetValue("ep_7", out _));
        Assert.False(map.TryGetValue("ep_3", out _));
    }

    [Fact]
    public void Many_keys_in_a_short_time_keep_it_near_its_capacity_and_the_least_recently_used_go_first()
    {
        var map = new RecentlyUsed<string, int>(1000, TimeSpan.FromMinutes(10), _clock);
        map.Set("busy", 0);
        for (var i = 0; i < 50_000; i++)
        {
            _clock.Advance(TimeSpan.FromTicks(1));
            map.Set($"tenant-{i}", i);
            map.AddOrUpdate("busy", _ => 0, (_, n) => n + 1);
        }

        Assert.InRange(map.Count, 1, 1500);
        Assert.True(map.TryGetValue("busy", out var busy));
        Assert.Equal(50_000, busy);
        Assert.True(map.TryGetValue("tenant-49999", out _));
        Assert.False(map.TryGetValue("tenant-0", out _));
    }

    [Fact]
    public void An_entry_is_removed_only_while_it_holds_the_value_given()
    {
        var map = new RecentlyUsed<string, int>(10, TimeSpan.FromMinutes(1), _clock);
        map.Set("a", 1);

        Assert.False(map.TryRemove("a", 0));
        Assert.True(map.TryRemove("a", 1));
        Assert.Equal(0, map.Count);
    }

    [Fact]
    public async Task Concurrent_updates_of_a_new_key_each_see_the_value_before_them_once()
    {
        var map = new RecentlyUsed<string, int>(100, TimeSpan.FromMinutes(1), _clock);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                map.AddOrUpdate("tenant", _ => 0, (_, n) => n + 1);
            }
        })));

        Assert.True(map.TryGetValue("tenant", out var count));
        Assert.Equal(8000, count);
    }
}
