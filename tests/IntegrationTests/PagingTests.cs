using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Events;
using Webhooks.Core.Quotas;
using Webhooks.Core.Storage;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>Every list pages with a cursor and a capped limit, and finds a page in bounded work however deep it is.</summary>
public sealed class PagingTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    private DeadLetterIndex DeadLetters => system.Service<DeadLetterIndex>();
    private AttemptRecording Attempts => system.Service<AttemptRecording>();
    private DeliveryStore Deliveries => system.Service<DeliveryStore>();

    [Fact]
    public async Task Dead_letters_are_walked_page_by_page_each_once_while_new_ones_arrive()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        // Three share one millisecond: the cursor must tell them apart.
        var seeded = Enumerable.Range(0, 7).Select(i => DeadLetter("walk", at.AddMilliseconds(i < 3 ? 0 : i))).ToList();
        foreach (var d in seeded)
        {
            await DeadLetters.AddAsync(d);
        }

        var seen = new List<string>();
        for (string? after = null; ;)
        {
            var page = (await system.Ingest.GetFromJsonAsync<DeadLetterList>($"/v1/dead-letters?tenant=walk&limit=3{(after is null ? "" : $"&after={after}")}"))!;
            seen.AddRange(page.Data.Select(d => d.Id));
            // A newer dead letter arriving meanwhile neither shifts nor repeats what the walk has still to see.
            await DeadLetters.AddAsync(DeadLetter("walk", DateTimeOffset.UtcNow));
            if ((after = page.NextAfter) is null)
            {
                break;
            }
        }

        Assert.Equal(seeded.OrderByDescending(d => d.DeadLetteredAt).ThenByDescending(d => d.Id, StringComparer.Ordinal).Select(d => d.Id), seen.Where(id => seeded.Any(d => d.Id == id)));
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("&reason=exhausted")]
    public async Task The_sharded_indexes_are_walked_in_one_order_each_entry_once(string filter)
    {
        // A window of its own in the past, so that the other tests' dead letters stay out of it.
        var at = DateTimeOffset.UtcNow.AddDays(-2).AddMinutes(Random.Shared.Next(0, 1000));
        // Twelve share one millisecond, spread over the shards by their ids: the merge must order them as one key would.
        var seeded = Enumerable.Range(0, 40).Select(i => DeadLetter($"sharded{i % 3}", at.AddMilliseconds(i < 12 ? 0 : i), DeadLetterReasons.Exhausted)).ToList();
        foreach (var d in seeded)
        {
            await DeadLetters.AddAsync(d);
        }
        Assert.True(seeded.Select(d => DeadLetterIndex.ShardOf(d.Id)).Distinct().Count() > 5, "the seeded ids spread over the shards");

        var window = $"since={Uri.EscapeDataString(at.ToString("o"))}&until={Uri.EscapeDataString(at.AddSeconds(1).ToString("o"))}{filter}";
        var seen = new List<string>();
        for (string? after = null; ;)
        {
            var page = (await system.Ingest.GetFromJsonAsync<DeadLetterList>($"/v1/dead-letters?{window}&limit=7{(after is null ? "" : $"&after={after}")}"))!;
            seen.AddRange(page.Data.Select(d => d.Id));
            if ((after = page.NextAfter) is null)
            {
                break;
            }
        }

        Assert.Equal(seeded.OrderByDescending(d => d.DeadLetteredAt).ThenByDescending(d => d.Id, StringComparer.Ordinal).Select(d => d.Id), seen);
    }

    [Fact]
    public async Task A_filter_the_index_cannot_narrow_looks_at_a_bounded_number_of_entries_a_page_and_says_where_to_go_on()
    {
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        var wanted = DeadLetter("haystack", at, reason: "needle");
        await DeadLetters.AddAsync(wanted);
        for (var i = 0; i < DeadLetterIndex.MaxScannedPerPage + 100; i++)
        {
            await DeadLetters.AddAsync(DeadLetter("haystack", at.AddMilliseconds(1 + i)));
        }

        var first = (await system.Ingest.GetFromJsonAsync<DeadLetterList>("/v1/dead-letters?tenant=haystack&reason=needle"))!;
        Assert.Empty(first.Data);
        var next = first.NextAfter;
        Assert.NotNull(next);
        var second = (await system.Ingest.GetFromJsonAsync<DeadLetterList>($"/v1/dead-letters?tenant=haystack&reason=needle&after={next}"))!;
        Assert.Equal(wanted.Id, Assert.Single(second.Data).Id);
        Assert.Null(second.NextAfter);
    }

    [Fact]
    public async Task An_endpoints_attempts_are_walked_page_by_page_each_once_while_new_ones_arrive()
    {
        var (endpointId, _) = await system.CreateEndpointAsync("attempt-walk", "https://hooks.example.com/a", ["*"]);
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 250; i++)
        {
            await Attempts.RecordAsync(Attempt(endpointId, $"dlv_{i:D4}", at.AddMilliseconds(i)), "attempt-walk", DeliveryStatus.Delivered);
        }

        var seen = new List<string>();
        for (string? after = null; ;)
        {
            var page = (await system.Ingest.GetFromJsonAsync<AttemptPage>($"/v1/endpoints/{endpointId}/attempts?limit=100{(after is null ? "" : $"&after={after}")}"))!;
            seen.AddRange(page.Data.Select(a => a.DeliveryId));
            await Attempts.RecordAsync(Attempt(endpointId, $"dlv_new{seen.Count}", DateTimeOffset.UtcNow), "attempt-walk", DeliveryStatus.Delivered);
            if ((after = page.NextAfter) is null)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(0, 250).Reverse().Select(i => $"dlv_{i:D4}"), seen);
    }

    [Fact]
    public async Task An_event_shows_a_page_of_its_deliveries_and_the_latest_attempts_of_each()
    {
        var id = await system.PublishAsync("wide", "fan.wide");
        var endpoints = Enumerable.Range(0, 120).Select(i => ($"ep_{i:D4}", $"dlv_wide{i:D4}")).ToList();
        await Deliveries.AddPendingAsync(id, endpoints);
        for (var n = 1; n <= 15; n++)
        {
            await Attempts.RecordAsync(Attempt("ep_0000", "dlv_wide0000", DateTimeOffset.UtcNow, id, n), "wide", DeliveryStatus.Failed);
        }

        var seen = new List<string>();
        DeliveryView? first = null;
        for (string? after = null; ;)
        {
            var view = (await system.Ingest.GetFromJsonAsync<EventView>($"/v1/events/{id}{(after is null ? "" : $"?after={after}")}"))!;
            first = seen.Count == 0 ? view.Deliveries[0] : first;
            Assert.InRange(view.Deliveries.Count, 1, 50);
            seen.AddRange(view.Deliveries.Select(d => d.EndpointId));
            if ((after = view.NextAfter) is null)
            {
                break;
            }
        }

        Assert.Equal(endpoints.Select(e => e.Item1), seen);
        Assert.Equal(15, first!.AttemptCount);
        Assert.Equal(Enumerable.Range(6, 10), first.Attempts.Select(a => a.Number));
    }

    [Theory]
    [InlineData("/v1/dead-letters?offset=50")]
    [InlineData("/v1/dead-letters?after=not-a-cursor")]
    [InlineData("/v1/dead-letters?limit=201")]
    [InlineData("/v1/endpoints?offset=50")]
    [InlineData("/v1/endpoints?limit=0")]
    [InlineData("/v1/api-keys?offset=1")]
    [InlineData("/v1/api-keys?limit=1000")]
    public async Task Bad_paging_is_refused_with_400(string path)
    {
        var response = await system.Ingest.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_attempt_cursor_that_is_not_one_is_refused_with_400()
    {
        var (endpointId, _) = await system.CreateEndpointAsync("attempt-walk", "https://hooks.example.com/b", ["*"]);

        foreach (var query in new[] { "after=bm9wZQ", "offset=10", "limit=500" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await system.Ingest.GetAsync($"/v1/endpoints/{endpointId}/attempts?{query}")).StatusCode);
        }
    }

    private static DeadLetter DeadLetter(string tenant, DateTimeOffset at, string reason = DeadLetterReasons.EndpointDisabled) => new()
    {
        Id = SortableId.New("dlq"),
        Reason = reason,
        Detail = "seeded",
        EventId = SortableId.New("evt"),
        Tenant = tenant,
        DeadLetteredAt = at,
    };

    private static DeliveryAttempt Attempt(string endpointId, string deliveryId, DateTimeOffset at, string eventId = "evt_seeded", int number = 1) => new()
    {
        DeliveryId = deliveryId,
        EventId = eventId,
        EndpointId = endpointId,
        Number = number,
        At = at,
        Succeeded = true,
        StatusCode = 200,
        DurationMs = 1,
    };
}
