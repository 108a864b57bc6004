using System.Net;
using System.Net.Http.Json;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class IdempotencyTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    [Fact]
    public async Task A_repeated_idempotency_key_gives_the_same_id_and_one_delivery()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("acme", subscriber.Url, ["payment.settled"]);

        var first = await system.PublishAsync("acme", "payment.settled", new { amount = 10 }, idempotencyKey: "pay-123");
        var second = await system.PublishAsync("acme", "payment.settled", new { amount = 10 }, idempotencyKey: "pay-123");
        var other = await system.PublishAsync("acme", "payment.settled", new { amount = 10 }, idempotencyKey: "pay-124");

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        await subscriber.WaitForAsync(2);
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-fan-out"), d => d == 0, "the fan-out queue is empty");
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-delivery"), d => d == 0, "the delivery queue is empty");
        Assert.Equal(1, subscriber.Received.Count(r => r.Id == first));
        Assert.Equal(2, subscriber.Received.Count);
    }

    [Fact]
    public async Task An_idempotency_key_reused_with_another_body_is_refused()
    {
        await system.PublishAsync("acme", "payment.settled", new { amount = 10 }, idempotencyKey: "pay-999");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = JsonContent.Create(new { type = "payment.settled", tenant = "acme", data = new { amount = 99 } }) };
        request.Headers.Add("Idempotency-Key", "pay-999");
        var response = await system.Ingest.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("different body", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_retry_after_a_503_publishes_the_same_event_id_and_it_is_delivered_once()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("retrier", subscriber.Url, ["*"]);
        var brokerDown = await system.StartIngestAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
            ["Webhooks:Ingest:PublishTimeout"] = "00:00:01",
        });
        var body = new { type = "refund.issued", tenant = "retrier", data = new { amount = 5 } };

        using var first = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = JsonContent.Create(body) };
        first.Headers.Add("Idempotency-Key", "refund-1");
        var unavailable = await brokerDown.SendAsync(first);
        var reservedId = (await unavailable.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("eventId").GetString();
        var retriedId = await system.PublishAsync("retrier", "refund.issued", new { amount = 5 }, idempotencyKey: "refund-1");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(reservedId, retriedId);
        await subscriber.WaitForAsync(1);
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-delivery"), d => d == 0, "the delivery queue is empty");
        Assert.Equal(retriedId, Assert.Single(subscriber.Received).Id);
    }

    [Fact]
    public async Task A_batch_retried_with_its_idempotency_key_after_failing_halfway_makes_no_second_event()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("batch-retry", subscriber.Url, ["*"]);
        var batch = new { events = Enumerable.Range(0, 5).Select(i => new { type = "stock.moved", tenant = "batch-retry", data = new { i } }).ToArray() };
        async Task<HttpResponseMessage> PostAsync(object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events/batch") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "moves-1");
            return await system.Ingest.SendAsync(request);
        }
        static async Task<List<string>> IdsAsync(HttpResponseMessage response) =>
            [.. (await response.Content.ReadFromJsonAsync<EventBatchAccepted>())!.Ids];

        var first = await PostAsync(batch);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var ids = await IdsAsync(first);
        await subscriber.WaitForAsync(5);
        // As if the first try had died after some confirms and before it answered: its reservation is not done.
        var reservation = RedisKeys.Tenant.BatchIdempotency("batch-retry", "moves-1");
        await system.Redis.StringSetAsync(reservation, ((string)(await system.Redis.StringGetAsync(reservation))!).Replace("\"done\":true", "\"done\":false"), expiry: null, keepTtl: true);

        var retry = await PostAsync(batch);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(ids, await IdsAsync(retry));
        Assert.Equal(ids, await IdsAsync(await PostAsync(batch))); // and once done, again the same answer
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(new { events = batch.events.Take(4) })).StatusCode);

        await Eventually.NothingMoreWithinAsync(TimeSpan.FromSeconds(1), "a sixth event published by the refused or repeated batches");
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-fan-out"), d => d == 0, "the fan-out queue is empty");
        Assert.Equal(5, subscriber.Received.Count);
        Assert.Equal(ids.Order(), subscriber.Received.Select(r => r.Id).Order());
    }
}
