using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Webhooks.Ingest.Auth;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>What the SRE console lists across tenants: the endpoints failing longest, and the tenants refused for a quota.</summary>
public sealed class OperatorViewsTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private async Task<HttpClient> TenantAdminAsync(string tenant)
    {
        var created = await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant });
        return WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), (await created.Content.ReadFromJsonAsync<ApiKeyView>())!.Key!);
    }

    private async Task<List<JsonElement>> ListAsync(HttpClient client, string path) =>
        [.. (await client.GetFromJsonAsync<JsonElement>(path)).GetProperty("data").EnumerateArray()];

    [Fact]
    public async Task An_endpoint_failing_is_listed_from_its_first_failure_until_a_success()
    {
        var tenant = $"failing-{Guid.NewGuid():N}"[..20];
        var failing = true;
        await using var subscriber = await Subscriber.StartAsync(_ => Volatile.Read(ref failing) ? 500 : 204);
        var (endpoint, _) = await system.CreateEndpointAsync(tenant, subscriber.Url, ["order.*"]);
        var (healthy, _) = await system.CreateEndpointAsync(tenant, subscriber.Url + "/healthy", ["invoice.*"]);
        var before = DateTimeOffset.UtcNow;

        await system.PublishAsync(tenant, "order.created");
        var listed = await Eventually.HoldsAsync(() => ListAsync(system.Ingest, "/v1/endpoints/failing"), l => l.Any(f => f.GetProperty("endpointId").GetString() == endpoint), $"{endpoint} is listed");
        var entry = listed.Single(f => f.GetProperty("endpointId").GetString() == endpoint);
        Assert.Equal(tenant, entry.GetProperty("tenant").GetString());
        Assert.InRange(entry.GetProperty("failingSince").GetDateTimeOffset(), before.AddSeconds(-1), DateTimeOffset.UtcNow);
        Assert.DoesNotContain(listed, f => f.GetProperty("endpointId").GetString() == healthy);
        // The list spans every tenant: not for a tenant's key.
        Assert.Equal(HttpStatusCode.Forbidden, (await (await TenantAdminAsync(tenant)).GetAsync("/v1/endpoints/failing")).StatusCode);

        Volatile.Write(ref failing, false);
        await Eventually.HoldsAsync(async () => (await system.GetEventAsync(await system.PublishAsync(tenant, "order.created"))).Deliveries.SingleOrDefault()?.Status, s => s == "delivered", "a delivery succeeds");
        await Eventually.HoldsAsync(() => ListAsync(system.Ingest, "/v1/endpoints/failing"), l => l.All(f => f.GetProperty("endpointId").GetString() != endpoint), $"{endpoint} is no longer listed");
    }

    [Fact]
    public async Task A_tenant_refused_for_a_quota_is_listed_with_its_quotas_for_operators_alone()
    {
        var tenant = $"quota-{Guid.NewGuid():N}"[..20];
        Assert.Equal(HttpStatusCode.OK, (await system.Ingest.PutAsJsonAsync($"/v1/tenants/{tenant}/quotas", new { eventsPerSecond = 0.1, eventsBurst = 1 })).StatusCode);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await system.Ingest.PostAsJsonAsync("/v1/events", new { type = "load.tick", tenant, data = new { i } })).StatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);

        var over = (await ListAsync(system.Ingest, "/v1/tenants/over-quota")).Single(o => o.GetProperty("tenant").GetString() == tenant);
        Assert.Equal("events", over.GetProperty("quota").GetString());
        Assert.Equal(1, over.GetProperty("quotas").GetProperty("eventsBurst").GetInt32());
        Assert.InRange(over.GetProperty("lastRefusedAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await TenantAdminAsync(tenant)).GetAsync("/v1/tenants/over-quota")).StatusCode);
    }
}
