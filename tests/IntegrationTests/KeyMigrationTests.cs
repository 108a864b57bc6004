using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Storage;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>An installation from before hash tags: its keys are renamed when a host starts, and everything is found again.</summary>
public sealed partial class KeyMigrationTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    // Old names are put back by renames across slots, which a Redis Cluster refuses: as the migration itself, single Redis only.
    [Fact]
    [Trait("Category", "SingleRedis")]
    public async Task Keys_named_the_old_way_are_renamed_at_start_and_endpoints_events_and_attempts_are_found_again()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("migrated", subscriber.Url, ["*"]);
        var eventId = await system.PublishAsync("migrated", "order.kept");
        await Eventually.HoldsAsync(() => system.GetEventAsync(eventId), v => v.Deliveries.Any(d => d.Status == "delivered"), "delivered");

        // Back to the old names: endpoint:ep_1, event:evt_1:deliveries, tenant:migrated:endpoints, delivery:dlv_1:attempts.
        var renamed = 0;
        foreach (var key in system.Primaries().SelectMany(s => s.Keys(pattern: system.KeyPrefix + "*")).Select(k => (string)k!).ToList())
        {
            var name = key[system.KeyPrefix.Length..];
            var old = DeliveryAttempts().Match(name) is { Success: true } m ? RedisKeys.BeforeTags.DeliveryAttempts(m.Groups[1].Value) : RedisKeys.BeforeTags.Untagged(name);
            if (old != name && name.Split(':')[0] is "endpoint" or "event" or "tenant")
            {
                await system.Redis.KeyRenameAsync(name, old);
                renamed++;
            }
        }
        Assert.True(renamed >= 8, $"{renamed} keys renamed to their old names");
        await system.Redis.KeyDeleteAsync(RedisKeys.Global.TaggedKeysMigrated);
        Assert.Equal(HttpStatusCode.NotFound, (await system.Ingest.GetAsync($"/v1/endpoints/{endpointId}")).StatusCode);

        var restarted = await system.StartIngestAsync();

        Assert.Equal(HttpStatusCode.OK, (await restarted.GetAsync($"/v1/endpoints/{endpointId}")).StatusCode);
        var view = await restarted.GetFromJsonAsync<EventView>($"/v1/events/{eventId}");
        var delivery = Assert.Single(view!.Deliveries);
        Assert.Equal("delivered", delivery.Status);
        Assert.Equal(200, Assert.Single(delivery.Attempts).StatusCode);
        Assert.Equal(0, system.CountKeys(RedisKeys.BeforeTags.Name("endpoint", "ep_*")) + system.CountKeys(RedisKeys.BeforeTags.Name("event", "evt_*")) + system.CountKeys(RedisKeys.BeforeTags.Name("tenant", "migrated", "*")) + system.CountKeys(RedisKeys.BeforeTags.DeliveryAttempts("*")));
        var listed = await restarted.GetFromJsonAsync<EventList>("/v1/events?tenant=migrated");
        Assert.Equal(eventId, Assert.Single(listed!.Data).Id);
    }

    [Fact]
    public async Task Dead_letters_indexed_before_shards_are_moved_into_them_at_start_and_listed_again()
    {
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var deadLetter = new DeadLetter
            {
                Id = SortableId.New("dlq"),
                Reason = DeadLetterReasons.Exhausted,
                Detail = "indexed before shards",
                EventId = SortableId.New("evt"),
                Tenant = "unsharded",
                DeadLetteredAt = DateTimeOffset.UtcNow.AddMinutes(-1).AddMilliseconds(i),
            };
            // As an installation from before shards wrote it: the record, one key for all and one per reason.
            await system.Redis.StringSetAsync(RedisKeys.DeadLetter.Record(deadLetter.Id), JsonSerializer.Serialize(deadLetter, WebhooksJson.Options), TimeSpan.FromDays(1));
            await system.Redis.SortedSetAddAsync(RedisKeys.DeadLetter.UnshardedAll, deadLetter.Id, deadLetter.DeadLetteredAt.ToUnixTimeMilliseconds());
            await system.Redis.SortedSetAddAsync(RedisKeys.DeadLetter.UnshardedReason(DeadLetterReasons.Exhausted), deadLetter.Id, deadLetter.DeadLetteredAt.ToUnixTimeMilliseconds());
            ids.Insert(0, deadLetter.Id);
        }
        Assert.Empty((await system.Ingest.GetFromJsonAsync<DeadLetterList>("/v1/dead-letters?reason=exhausted"))!.Data);
        await system.Redis.KeyDeleteAsync(RedisKeys.Global.DeadLetterShardsMigrated);

        var restarted = await system.StartIngestAsync();

        foreach (var query in new[] { "", "reason=exhausted" })
        {
            var listed = await restarted.GetFromJsonAsync<DeadLetterList>($"/v1/dead-letters?limit=100&{query}");
            Assert.Equal(ids, listed!.Data.Select(d => d.Id).Where(id => id.StartsWith("dlq", StringComparison.Ordinal)));
        }
        Assert.False(await system.Redis.KeyExistsAsync(RedisKeys.DeadLetter.UnshardedAll));
        Assert.False(await system.Redis.KeyExistsAsync(RedisKeys.DeadLetter.UnshardedReason(DeadLetterReasons.Exhausted)));
    }

    [GeneratedRegex(@"^event:\{[^}]+\}:delivery:([^:]+):attempts$")]
    private static partial Regex DeliveryAttempts();
}
