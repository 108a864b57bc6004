using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Quotas;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Jobs;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>Bulk operations beyond one page, as jobs that report progress and go on where they stopped.</summary>
public sealed class JobsTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private DeadLetterIndex DeadLetters => system.Service<DeadLetterIndex>();

    private async Task<List<DeadLetter>> SeedAsync(string tenant, string endpointId, int count)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        var seeded = Enumerable.Range(0, count).Select(i => new DeadLetter
        {
            Id = SortableId.New("dl"),
            Reason = DeadLetterReasons.Exhausted,
            Detail = "seeded",
            EventId = $"evt_{tenant}{i:D5}",
            Tenant = tenant,
            EndpointId = endpointId,
            DeliveryId = $"dlv_{tenant}{i:D5}",
            EventType = "job.seeded",
            DeadLetteredAt = at.AddMilliseconds(i),
            Delivery = new DeliverWebhook { DeliveryId = $"dlv_{tenant}{i:D5}", EndpointId = endpointId, EventId = $"evt_{tenant}{i:D5}", Type = "job.seeded", Tenant = tenant, OccurredAt = at, Attempt = 4 },
        }).ToList();
        await Task.WhenAll(seeded.Select(d => DeadLetters.AddAsync(d)));
        return seeded;
    }

    private async Task<Job> FinishedAsync(string jobId) =>
        await Eventually.HoldsAsync(async () => (await system.Ingest.GetFromJsonAsync<Job>($"/v1/jobs/{jobId}"))!, j => j.Status is "done" or "failed", "the job finishes", TimeSpan.FromSeconds(90));

    [Fact]
    public async Task A_redrive_job_over_more_than_a_page_sends_every_dead_letter_once_and_reports_its_progress()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("job-redrive", subscriber.Url, ["*"]);
        var seeded = await SeedAsync("job-redrive", endpointId, 1200);

        var created = await system.Ingest.PostAsJsonAsync("/v1/jobs", new { kind = "redrive", tenant = "job-redrive" });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var job = await FinishedAsync((await created.Content.ReadFromJsonAsync<Job>())!.Id);

        Assert.Equal(("done", 1200L, 2), (job.Status, job.Counts["redriven"], job.Pages));
        await subscriber.WaitForAsync(1200, TimeSpan.FromSeconds(90));
        await Eventually.NothingMoreWithinAsync(TimeSpan.FromMilliseconds(500), "a dead letter redriven twice");
        Assert.Equal(seeded.Select(d => d.EventId).Order(), subscriber.Received.Select(r => r.Id).Order());
        Assert.Empty(await system.DeadLettersAsync("tenant=job-redrive"));
    }

    [Fact]
    public async Task A_job_stopped_after_a_page_goes_on_from_that_page_and_sends_nothing_twice()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("job-resume", subscriber.Url, ["*"]);
        var seeded = await SeedAsync("job-resume", endpointId, 1200);
        // As an Ingest that died after its first page left it: the newest 1000 redriven (here: taken away,
        // so a second send would show), its position and counts saved, its lease gone.
        var firstPage = seeded.OrderByDescending(d => d.DeadLetteredAt).Take(1000).ToList();
        foreach (var d in firstPage)
        {
            await DeadLetters.RemoveAsync(d);
        }
        var last = firstPage[^1];
        var cursor = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{((double)last.DeadLetteredAt.ToUnixTimeMilliseconds()).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\n{last.Id}"));
        var jobId = SortableId.New("job");
        var now = DateTimeOffset.UtcNow;
        await system.Redis.StringSetAsync(RedisKeys.Global.Job(jobId), JsonSerializer.Serialize(new
        {
            id = jobId, kind = "redrive", tenant = "job-resume", status = "running", after = cursor, pages = 1, counts = new Dictionary<string, long> { ["redriven"] = 1000 },
            actor = "a test", createdAt = now, updatedAt = now,
        }));
        await system.Redis.SortedSetAddAsync(RedisKeys.Global.Jobs, jobId, now.ToUnixTimeMilliseconds());
        await system.Redis.SetAddAsync(RedisKeys.Global.ActiveJobs, jobId);

        var job = await FinishedAsync(jobId);

        Assert.Equal(("done", 1200L), (job.Status, job.Counts["redriven"]));
        await subscriber.WaitForAsync(200);
        // Nothing more waits to be sent: a second send of any of them would have to come from the lane.
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-delivery"), depth => depth == 0, "the delivery lane is empty");
        Assert.Equal(seeded.Except(firstPage).Select(d => d.EventId).Order(), subscriber.Received.Select(r => r.Id).Order());
    }

    [Theory]
    [InlineData("""{"kind":"explode"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"kind":"recover","endpointId":"ep_missing","since":"2026-01-01T00:00:00Z"}""", HttpStatusCode.NotFound)]
    [InlineData("""{"kind":"replay","endpointId":"ep_x"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"kind":"purge","since":"2026-02-01T00:00:00Z","until":"2026-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"kind":"purge","colour":"red"}""", HttpStatusCode.BadRequest)]
    public async Task A_bad_job_is_refused_and_nothing_runs(string body, HttpStatusCode status)
    {
        var response = await system.Ingest.PostAsync("/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
