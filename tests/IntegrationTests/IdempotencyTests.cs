using System.Net;
using System.Net.Http.Json;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class IdempotencyTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
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
}
