using System.Net;
using System.Net.Http.Json;
using StackExchange.Redis;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class AuthTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private async Task<(string Id, string Key)> CreateKeyAsync(string role, string? tenant)
    {
        var response = await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role, tenant, name = $"{role} of {tenant}" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<ApiKeyView>())!;
        return (created.Id, created.Key!);
    }

    private HttpClient As(string? key) => WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), key);

    [Fact]
    public async Task Without_a_valid_key_the_api_answers_401_but_health_stays_open()
    {
        var anonymous = As(null);
        var wrong = As("whk_not-a-key");

        var missing = await anonymous.GetAsync("/v1/endpoints");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsJsonAsync("/v1/events", new { type = "a.b", tenant = "t", data = new { } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(0u, await system.QueueDepthAsync("webhooks-fan-out"));
    }

    [Fact]
    public async Task A_publisher_key_publishes_and_reads_events_but_manages_nothing()
    {
        var (_, key) = await CreateKeyAsync("publisher", null);
        var publisher = As(key);

        var accepted = await publisher.PostAsJsonAsync("/v1/events", new { type = "order.created", tenant = "pub", data = new { } });
        var id = (await accepted.Content.ReadFromJsonAsync<EventAccepted>())!.Id;
        var endpoint = await publisher.PostAsJsonAsync("/v1/endpoints", new { tenant = "pub", url = "https://x.example/", eventTypes = new[] { "*" } });

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await publisher.GetAsync($"/v1/events/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, endpoint.StatusCode);
        Assert.Equal("application/problem+json", endpoint.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await publisher.GetAsync("/v1/dead-letters")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await publisher.PostAsJsonAsync("/v1/api-keys", new { role = "admin" })).StatusCode);
    }

    [Fact]
    public async Task A_tenant_bound_key_sees_and_changes_only_its_tenant_and_the_rest_does_not_exist_for_it()
    {
        var (_, key) = await CreateKeyAsync("admin", "tenant-a");
        var tenantA = As(key);
        await using var subscriber = await Subscriber.StartAsync();
        var (otherEndpoint, _) = await system.CreateEndpointAsync("tenant-b", subscriber.Url, ["*"]);
        (await system.Ingest.PostAsync($"/v1/endpoints/{otherEndpoint}/disable", null)).EnsureSuccessStatusCode();
        var otherEvent = await system.PublishAsync("tenant-b", "secret.plan");
        var otherDeadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync("tenant=tenant-b"), l => l.Count > 0, "tenant-b has a dead letter"));

        var own = await tenantA.PostAsJsonAsync("/v1/endpoints", new { url = "https://a.example/hook", eventTypes = new[] { "*" } });
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal("tenant-a", (await own.Content.ReadFromJsonAsync<EndpointView>())!.Tenant);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantA.PostAsJsonAsync("/v1/endpoints", new { tenant = "tenant-b", url = "https://a.example/", eventTypes = new[] { "*" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantA.PostAsJsonAsync("/v1/events", new { type = "a.b", tenant = "tenant-b", data = new { } })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await tenantA.PostAsJsonAsync("/v1/events", new { type = "a.b", data = new { } })).StatusCode);

        foreach (var (method, path) in new[] { ("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/enable"), ("GET", "/secret"), ("POST", "/secret/rotate"), ("GET", "/attempts") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), $"/v1/endpoints/{otherEndpoint}{path}") { Content = method == "PATCH" ? JsonContent.Create(new { description = "mine now" }) : null };
            Assert.Equal(HttpStatusCode.NotFound, (await tenantA.SendAsync(request)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await tenantA.GetAsync($"/v1/events/{otherEvent}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tenantA.GetAsync($"/v1/dead-letters/{otherDeadLetter.Id}")).StatusCode);
        // Naming the other tenant is refused, never quietly answered with the key's own tenant instead.
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantA.GetAsync("/v1/endpoints?tenant=tenant-b")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantA.GetAsync("/v1/dead-letters?tenant=tenant-b")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantA.PostAsync("/v1/dead-letters/redrive?tenant=tenant-b", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tenantA.GetAsync($"/v1/dead-letters?endpointId={otherEndpoint}")).StatusCode);
        Assert.Single(await system.DeadLettersAsync("tenant=tenant-b"));
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantA.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant = "tenant-b" })).StatusCode);
    }

    [Fact]
    public async Task A_tenant_bound_key_that_names_another_tenant_is_refused_on_every_route_and_nothing_of_its_own_is_acted_on_instead()
    {
        var (_, key) = await CreateKeyAsync("admin", "globex");
        var globex = As(key);
        // Each tenant has a dead letter (a disabled endpoint's): a purge by filter must not take globex's own instead of acme's.
        foreach (var tenant in new[] { "acme", "globex" })
        {
            var (endpointId, _) = await system.CreateEndpointAsync(tenant, "https://hooks.example.com/" + tenant, ["*"]);
            (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null)).EnsureSuccessStatusCode();
            await system.PublishAsync(tenant, "plan.changed");
            await Eventually.HoldsAsync(() => system.DeadLettersAsync($"tenant={tenant}"), l => l.Count == 1, $"{tenant} has a dead letter");
        }

        foreach (var (method, path, body) in new (string, string, object?)[]
        {
            ("DELETE", "/v1/dead-letters?tenant=acme", null), ("POST", "/v1/dead-letters/redrive?tenant=acme", null), ("GET", "/v1/dead-letters?tenant=acme", null),
            ("GET", "/v1/events?tenant=acme", null), ("GET", "/v1/endpoints?tenant=acme", null), ("GET", "/v1/audit?tenant=acme", null),
            ("GET", "/v1/api-keys?tenant=acme", null), ("POST", "/v1/jobs", new { kind = "purge", tenant = "acme" }), ("GET", "/v1/jobs?tenant=acme", null), ("GET", "/v1/tenants/acme/quotas", null),
            ("POST", "/v1/events", new { type = "a.b", tenant = "acme", data = new { } }), ("POST", "/v1/endpoints", new { tenant = "acme", url = "https://a.example/", eventTypes = new[] { "*" } }),
        })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await globex.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)response.StatusCode}");
            Assert.Contains("bound to tenant 'globex'", await response.Content.ReadAsStringAsync());
        }

        Assert.Single(await system.DeadLettersAsync("tenant=acme"));
        Assert.Single(await system.DeadLettersAsync("tenant=globex"));
        // Its own tenant, named or not, is its to act on.
        Assert.Equal(1, (await (await globex.DeleteAsync("/v1/dead-letters?tenant=globex")).Content.ReadFromJsonAsync<PurgeResult>())!.Purged);
        Assert.Empty(await system.DeadLettersAsync("tenant=globex"));
    }

    [Fact]
    public async Task Keys_are_stored_hashed_and_a_revoked_key_stops_working()
    {
        var (id, key) = await CreateKeyAsync("publisher", "hashing");
        var client = As(key);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/v1/events", new { type = "a.b", data = new { } })).StatusCode);

        foreach (var server in system.Primaries())
        {
            foreach (var redisKey in server.Keys(pattern: system.KeyPrefix + RedisKeys.Global.ApiKey("*")).Concat(server.Keys(pattern: system.KeyPrefix + RedisKeys.Global.ApiKeyByHash("*"))))
            {
                Assert.DoesNotContain(key, (await system.Redis.StringGetAsync(((string)redisKey!)[system.KeyPrefix.Length..])).ToString());
            }
        }
        var listed = (await system.Ingest.GetFromJsonAsync<ApiKeyPage>("/v1/api-keys?tenant=hashing"))!;
        Assert.Null(listed.Data.Single().Key);
        // A tenant that is no tenant's name is refused, not answered with an empty page.
        var malformed = await system.Ingest.GetAsync("/v1/api-keys?tenant=Not%20A%20Tenant");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.NoContent, (await system.Ingest.DeleteAsync($"/v1/api-keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/v1/events", new { type = "a.b", data = new { } })).StatusCode);
    }
}
