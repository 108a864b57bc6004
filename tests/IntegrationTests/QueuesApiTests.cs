using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Webhooks.Ingest.Auth;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary><c>GET /v1/queues</c>: the dispatchers' last sample of the broker's queues, for operators alone.</summary>
public sealed class QueuesApiTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    [Fact]
    public async Task Operators_see_every_queue_as_a_dispatcher_last_sampled_it_and_tenants_do_not()
    {
        var running = system.RunningHosts();
        try
        {
            var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Dispatcher:QueueSampling"] = "00:00:01" });
            var snapshot = await Eventually.HoldsAsync(async () =>
            {
                var response = await system.Ingest.GetAsync("/v1/queues");
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            }, s => s.ValueKind == JsonValueKind.Object, "a dispatcher shared its sample");
            var queues = snapshot.GetProperty("queues").EnumerateArray().ToList();
            var lanes = queues.Where(q => q.GetProperty("kind").GetString() == "lane").ToList();
            Assert.NotEmpty(lanes);
            // The dispatcher consumes every lane.
            Assert.All(lanes, lane => Assert.True(lane.GetProperty("consumers").GetInt64() >= 1, lane.GetProperty("queue").GetString()));
            Assert.Contains(queues, q => q.GetProperty("kind").GetString() == "delay");
            Assert.InRange(snapshot.GetProperty("sampledAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(5));

            var created = await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant = "queues-tenant" });
            var tenantKey = (await created.Content.ReadFromJsonAsync<ApiKeyView>())!.Key!;
            Assert.Equal(HttpStatusCode.Forbidden, (await WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), tenantKey).GetAsync("/v1/queues")).StatusCode);

            // With no dispatcher sampling, the picture goes rather than stay as today's.
            await system.StopAsync(dispatcher);
            await Eventually.HoldsAsync(async () => (await system.Ingest.GetAsync("/v1/queues")).StatusCode, s => s == HttpStatusCode.NotFound, "the sample expired", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await system.StopHostsStartedSinceAsync(running);
        }
    }
}
