using System.Net;
using System.Net.Http.Json;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Deliveries;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>A delivery has one live retry chain: a resend, redrive or recover replaces the retry that waits, and a delivery has one dead letter at most.</summary>
public sealed class DeliveryChainTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    // Retries 1.5 s apart: long enough to act while one waits, short enough to run the schedule out.
    private static readonly Dictionary<string, string?> Schedule = new()
    {
        ["Webhooks:Retries:Schedule:0"] = "00:00:01.500",
        ["Webhooks:Retries:Schedule:1"] = "00:00:01.500",
        ["Webhooks:Retries:Schedule:2"] = "00:00:01.500",
        ["Webhooks:Retries:Jitter"] = "0",
    };

    // Four quick attempts a chain.
    private static readonly Dictionary<string, string?> QuickSchedule = new()
    {
        ["Webhooks:Retries:Schedule:0"] = "00:00:00.100",
        ["Webhooks:Retries:Schedule:1"] = "00:00:00.100",
        ["Webhooks:Retries:Schedule:2"] = "00:00:00.100",
    };

    private async Task<IReadOnlyList<int>> AttemptNumbersAsync(string eventId)
    {
        var shown = await system.GetEventAsync(eventId);
        return [.. shown.Deliveries[0].Attempts.Select(a => a.Number)];
    }

    [Fact]
    public async Task A_resend_while_a_retry_waits_replaces_that_retry_the_schedule_ends_in_one_dead_letter_and_a_redrive_delivers_once()
    {
        var dispatcher = await system.StartDispatcherAsync(Schedule);
        try
        {
            var healthy = false;
            await using var subscriber = await Subscriber.StartAsync(_ => Volatile.Read(ref healthy) ? 200 : 500);
            var (endpointId, _) = await system.CreateEndpointAsync("one-chain", subscriber.Url, ["*"]);
            var eventId = await system.PublishAsync("one-chain", "invoice.failed");
            // Attempt 1 failed; attempt 2 waits in the delay tiers.
            await Eventually.HoldsAsync(() => system.GetEventAsync(eventId), e => e.Deliveries is [{ NextAttemptAt: not null }], "attempt 1 failed and attempt 2 waits");

            var resent = await system.Ingest.PostAsync($"/v1/events/{eventId}/endpoints/{endpointId}/resend", null);
            Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);

            // The resend's chain counts on from attempt 1 and runs a full schedule of four: attempts 2 to 5, each once.
            var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), l => l.Count > 0, "the delivery is dead-lettered", TimeSpan.FromSeconds(60)));
            await Eventually.NothingMoreWithinAsync(TimeSpan.FromSeconds(2), "a waiting copy of the replaced chain coming back");
            Assert.Equal([1, 2, 3, 4, 5], await AttemptNumbersAsync(eventId));
            Assert.Equal(5, subscriber.Received.Count);
            Assert.Single(await system.DeadLettersAsync($"endpointId={endpointId}"));
            Assert.Equal("exhausted", deadLetter.Reason);

            Volatile.Write(ref healthy, true);
            var redriven = (await (await system.Ingest.PostAsync($"/v1/dead-letters/redrive?endpointId={endpointId}", null)).Content.ReadFromJsonAsync<RedriveResult>())!;
            Assert.Equal(1, redriven.Redriven);
            await Eventually.HoldsAsync(() => system.GetEventAsync(eventId), e => e.Deliveries[0].Status == "delivered", "the redriven delivery arrives");
            await Eventually.NothingMoreWithinAsync(TimeSpan.FromSeconds(2), "a second delivery after the redrive");
            Assert.Equal(6, subscriber.Received.Count);
            Assert.Equal(1, subscriber.Received.Count(r => r.At > deadLetter.DeadLetteredAt));
            Assert.Empty(await system.DeadLettersAsync($"endpointId={endpointId}"));
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Fact]
    public async Task A_resend_of_a_dead_lettered_delivery_takes_its_dead_letter_away_and_a_delivery_keeps_one_at_most()
    {
        var dispatcher = await system.StartDispatcherAsync(QuickSchedule);
        try
        {
            await using var subscriber = await Subscriber.StartAsync(_ => 500);
            var (endpointId, _) = await system.CreateEndpointAsync("one-dead-letter", subscriber.Url, ["*"]);
            var eventId = await system.PublishAsync("one-dead-letter", "invoice.failed");
            var first = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), l => l.Count > 0, "the delivery is dead-lettered"));

            Assert.Equal(HttpStatusCode.Accepted, (await system.Ingest.PostAsync($"/v1/events/{eventId}/endpoints/{endpointId}/resend", null)).StatusCode);

            // Sent again, it fails again: a dead letter of its own, the first one gone.
            var second = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"),
                l => l.Count > 0 && l[0].Id != first.Id, "the resent delivery is dead-lettered anew"));
            Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], await AttemptNumbersAsync(eventId));
            Assert.Equal(second.Id, (await system.GetEventAsync(eventId)).Deliveries[0].DeadLetterId);
            Assert.Equal(HttpStatusCode.NotFound, (await system.Ingest.GetAsync($"/v1/dead-letters/{first.Id}")).StatusCode);
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }

    [Fact]
    public async Task Purged_dead_letters_are_delivered_again_by_recover_and_by_replay()
    {
        var dispatcher = await system.StartDispatcherAsync(QuickSchedule);
        try
        {
            var healthy = false;
            await using var subscriber = await Subscriber.StartAsync(_ => Volatile.Read(ref healthy) ? 200 : 500);
            var since = DateTimeOffset.UtcNow.AddSeconds(-1);
            // One endpoint whose deliveries failed, one whose deliveries were refused while it was disabled.
            var (failing, _) = await system.CreateEndpointAsync("purged", subscriber.Url, ["failed.*"]);
            var (switchedOff, _) = await system.CreateEndpointAsync("purged", subscriber.Url, ["refused.*"]);
            (await system.Ingest.PostAsync($"/v1/endpoints/{switchedOff}/disable", null)).EnsureSuccessStatusCode();
            var failed = new[] { await system.PublishAsync("purged", "failed.one"), await system.PublishAsync("purged", "failed.two") };
            var refused = await system.PublishAsync("purged", "refused.one");
            await Eventually.HoldsAsync(() => system.DeadLettersAsync("tenant=purged"), l => l.Count == 3, "three dead letters");
            var purged = (await (await system.Ingest.DeleteAsync("/v1/dead-letters?tenant=purged")).Content.ReadFromJsonAsync<PurgeResult>())!;
            Assert.Equal(3, purged.Purged);
            Assert.True((await system.GetEventAsync(failed[0])).Deliveries[0].Purged);

            Volatile.Write(ref healthy, true);
            (await system.Ingest.PostAsync($"/v1/endpoints/{switchedOff}/enable", null)).EnsureSuccessStatusCode();
            var window = Uri.EscapeDataString(since.ToString("O"));
            var recovered = (await (await system.Ingest.PostAsync($"/v1/endpoints/{failing}/recover?since={window}", null)).Content.ReadFromJsonAsync<RecoverResult>())!;
            var replayed = (await (await system.Ingest.PostAsync($"/v1/endpoints/{switchedOff}/replay?since={window}", null)).Content.ReadFromJsonAsync<ReplayResult>())!;

            Assert.Equal(2, recovered.Resent);
            Assert.Equal(1, replayed.Replayed);
            foreach (var id in failed.Append(refused))
            {
                await Eventually.HoldsAsync(() => system.GetEventAsync(id), e => e.Deliveries.All(d => d.Status == "delivered"), $"{id} is delivered");
            }
            // Sent again once each: a second recover finds nothing left to do.
            var again = (await (await system.Ingest.PostAsync($"/v1/endpoints/{failing}/recover?since={window}", null)).Content.ReadFromJsonAsync<RecoverResult>())!;
            Assert.Equal((0, 0), (again.Redriven, again.Resent));
            Assert.Equal(1, subscriber.Received.Count(r => r.Id == refused));
            foreach (var id in failed)
            {
                Assert.Single((await system.GetEventAsync(id)).Deliveries[0].Attempts, a => a.Succeeded);
            }
        }
        finally
        {
            await system.StopAsync(dispatcher);
        }
    }
}
