using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class CraftedIdTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    [Fact]
    public async Task An_id_that_names_another_redis_key_is_not_found_rather_than_an_outage()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("crafty", subscriber.Url, ["*"]);
        var eventId = await system.PublishAsync("crafty", "key.crafted");
        await Eventually.HoldsAsync(() => Task.FromResult(subscriber.Received.Count), n => n == 1, "the event is delivered (its keys exist)");

        foreach (var path in new[] { $"/v1/events/{eventId}:deliveries", $"/v1/endpoints/{endpointId}:attempts", $"/v1/endpoints/{endpointId}:attempts/attempts", "/v1/dead-letters/dl_x:y" })
        {
            var response = await system.Ingest.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(404, (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Status);
        }
    }
}
