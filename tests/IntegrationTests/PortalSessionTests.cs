using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Webhooks.Ingest.Auth;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>
/// Portal links and sessions at Ingest: a link opens once, for one tenant; the session it opens reaches that
/// tenant's endpoints, attempts and the catalog and nothing else, and never changes anything when read-only or
/// anything but its endpoints when limited to some.
/// </summary>
public sealed class PortalSessionTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    private static string NewTenant(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private HttpClient As(string? key) => WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), key);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private async Task<JsonElement> LinkAsync(HttpClient client, string tenant, object? options = null)
    {
        var response = await client.PostAsJsonAsync($"/v1/tenants/{tenant}/portal-sessions", options ?? new { });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await JsonAsync(response);
    }

    /// <summary>A session key for <paramref name="tenant"/>, from a link opened as the console opens it.</summary>
    private async Task<HttpClient> SessionAsync(string tenant, object? options = null)
    {
        var link = await LinkAsync(system.Ingest, tenant, options);
        var opened = await As(null).PostAsJsonAsync("/v1/portal-sessions/redeem", new { token = link.GetProperty("token").GetString() });
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        return As((await JsonAsync(opened)).GetProperty("sessionKey").GetString());
    }

    [Fact]
    public async Task A_link_opens_once_into_a_session_for_its_tenant_and_names_the_console_that_opens_it()
    {
        var tenant = NewTenant("once");
        var withConsole = await system.StartIngestAsync(new Dictionary<string, string?> { ["Webhooks:Portal:ConsoleUrl"] = "https://portal.example.com/" });
        var link = await LinkAsync(withConsole, tenant, new { expiresInSeconds = 600, readOnly = true });
        var token = link.GetProperty("token").GetString()!;
        Assert.StartsWith("wpt_", token);
        Assert.Equal($"https://portal.example.com/portal/open?token={token}", link.GetProperty("url").GetString());
        Assert.InRange(link.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddSeconds(590), DateTimeOffset.UtcNow.AddSeconds(610));

        var opened = await As(null).PostAsJsonAsync("/v1/portal-sessions/redeem", new { token });
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        var session = await JsonAsync(opened);
        Assert.Equal(tenant, session.GetProperty("tenant").GetString());
        Assert.True(session.GetProperty("readOnly").GetBoolean());
        Assert.StartsWith("wps_", session.GetProperty("sessionKey").GetString());

        var again = await As(null).PostAsJsonAsync("/v1/portal-sessions/redeem", new { token });
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await As(null).PostAsJsonAsync("/v1/portal-sessions/redeem", new { token = "wpt_forged" })).StatusCode);
        // The token is not a credential for anything else.
        Assert.Equal(HttpStatusCode.Unauthorized, (await As(token).GetAsync("/v1/endpoints")).StatusCode);
    }

    [Fact]
    public async Task A_session_reaches_its_tenants_endpoints_and_nothing_else()
    {
        var (mine, theirs) = (NewTenant("mine"), NewTenant("theirs"));
        var (myEndpoint, _) = await system.CreateEndpointAsync(mine, "https://mine.example/hook", ["order.*"]);
        var (theirEndpoint, _) = await system.CreateEndpointAsync(theirs, "https://theirs.example/hook", ["order.*"]);
        var theirEvent = await system.PublishAsync(theirs, "order.created");
        var portal = await SessionAsync(mine);

        var listed = await JsonAsync(await portal.GetAsync("/v1/endpoints"));
        Assert.Equal([myEndpoint], listed.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await portal.GetAsync($"/v1/endpoints/{myEndpoint}/attempts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.GetAsync($"/v1/endpoints/{myEndpoint}/secret")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.GetAsync("/v1/event-types")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await portal.PostAsJsonAsync("/v1/endpoints", new { url = "https://mine.example/second", eventTypes = new[] { "*" } })).StatusCode);

        // Another tenant's things do not exist for it; naming another tenant is refused.
        Assert.Equal(HttpStatusCode.NotFound, (await portal.GetAsync($"/v1/endpoints/{theirEndpoint}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await portal.PostAsync($"/v1/endpoints/{theirEndpoint}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await portal.GetAsync($"/v1/events/{theirEvent}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await portal.GetAsync($"/v1/events?tenant={theirs}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await portal.PostAsJsonAsync("/v1/endpoints", new { tenant = theirs, url = "https://x.example/", eventTypes = new[] { "*" } })).StatusCode);

        // Nothing an operator does: no keys, no new links, no publishing, no dead letters, jobs, quotas, audit or catalog changes.
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Post, "/v1/api-keys", new { role = "admin" }),
            (HttpMethod.Get, "/v1/api-keys", null),
            (HttpMethod.Post, $"/v1/tenants/{mine}/portal-sessions", new { }),
            (HttpMethod.Post, "/v1/events", new { type = "order.created", data = new { } }),
            (HttpMethod.Get, "/v1/dead-letters", null),
            (HttpMethod.Post, "/v1/jobs", new { kind = "redrive" }),
            (HttpMethod.Put, $"/v1/tenants/{mine}/quotas", new { endpoints = 1000 }),
            (HttpMethod.Get, "/v1/audit", null),
            (HttpMethod.Post, "/v1/event-types", new { name = "order.created" }),
        })
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            var refused = await portal.SendAsync(request);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {refused.StatusCode}");
            Assert.Contains("portal session", (await JsonAsync(refused)).GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task A_read_only_session_reads_and_changes_nothing()
    {
        var tenant = NewTenant("reader");
        var (endpoint, _) = await system.CreateEndpointAsync(tenant, "https://reader.example/hook", ["order.*"]);
        var portal = await SessionAsync(tenant, new { readOnly = true });

        Assert.Equal(HttpStatusCode.OK, (await portal.GetAsync($"/v1/endpoints/{endpoint}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.GetAsync($"/v1/endpoints/{endpoint}/stats?series=hourly")).StatusCode);
        foreach (var (method, path) in new[] { (HttpMethod.Get, $"/v1/endpoints/{endpoint}/secret"), (HttpMethod.Post, $"/v1/endpoints/{endpoint}/disable"), (HttpMethod.Post, $"/v1/endpoints/{endpoint}/secret/rotate"),
            (HttpMethod.Post, $"/v1/endpoints/{endpoint}/test"), (HttpMethod.Delete, $"/v1/endpoints/{endpoint}"), (HttpMethod.Post, "/v1/endpoints") })
        {
            var refused = await portal.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(new { url = "https://reader.example/2", eventTypes = new[] { "*" } }) });
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {refused.StatusCode}");
            Assert.Contains("read-only", (await JsonAsync(refused)).GetProperty("detail").GetString());
        }
        Assert.True((await JsonAsync(await system.Ingest.GetAsync($"/v1/endpoints/{endpoint}"))).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task A_session_limited_to_some_endpoints_sees_those_alone()
    {
        var tenant = NewTenant("limited");
        await using var subscriber = await Subscriber.StartAsync();
        var (shown, _) = await system.CreateEndpointAsync(tenant, subscriber.Url, ["order.*"]);
        var (hidden, _) = await system.CreateEndpointAsync(tenant, subscriber.Url + "/hidden", ["order.*", "invoice.*"]);
        var id = await system.PublishAsync(tenant, "order.created");
        var notSentToShown = await system.PublishAsync(tenant, "invoice.paid", new { amount = 12 });
        await subscriber.WaitForAsync(3);
        var portal = await SessionAsync(tenant, new { endpoints = new[] { shown } });

        var listed = await JsonAsync(await portal.GetAsync("/v1/endpoints"));
        Assert.Equal([shown], listed.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await portal.GetAsync($"/v1/endpoints/{shown}/attempts")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await portal.PostAsync($"/v1/events/{id}/endpoints/{shown}/resend", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await portal.GetAsync($"/v1/endpoints/{hidden}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await portal.PostAsync($"/v1/events/{id}/endpoints/{hidden}/resend", null)).StatusCode);
        // Nor, through its own endpoint, events only another endpoint was sent: no resend, no filter test, no replay.
        Assert.Equal(HttpStatusCode.NotFound, (await portal.PostAsync($"/v1/events/{notSentToShown}/endpoints/{shown}/resend", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await portal.PostAsJsonAsync($"/v1/endpoints/{shown}/filter/test", new { eventId = notSentToShown, filter = new Dictionary<string, object> { ["data.amount"] = new Dictionary<string, int> { ["$gt"] = 10 } } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.PostAsJsonAsync($"/v1/endpoints/{shown}/filter/test", new { eventId = id })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await portal.PostAsync($"/v1/endpoints/{shown}/replay?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"))}", null)).StatusCode);
        // Lists that span every endpoint, and new endpoints, are not for it.
        Assert.Equal(HttpStatusCode.Forbidden, (await portal.GetAsync("/v1/events")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await portal.GetAsync($"/v1/events/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await portal.PostAsJsonAsync("/v1/endpoints", new { url = "https://x.example/", eventTypes = new[] { "*" } })).StatusCode);
    }

    [Fact]
    public async Task Only_an_operator_or_the_tenants_admin_makes_links_and_bad_requests_change_nothing()
    {
        var (tenant, other) = (NewTenant("maker"), NewTenant("other"));
        var (otherEndpoint, _) = await system.CreateEndpointAsync(other, "https://other.example/hook", ["*"]);
        async Task<string> KeyAsync(string role, string? keyTenant)
        {
            var created = await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role, tenant = keyTenant });
            return (await created.Content.ReadFromJsonAsync<ApiKeyView>())!.Key!;
        }
        var tenantAdmin = As(await KeyAsync("admin", tenant));
        await LinkAsync(tenantAdmin, tenant);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.PostAsJsonAsync($"/v1/tenants/{other}/portal-sessions", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await As(await KeyAsync("publisher", null)).PostAsJsonAsync($"/v1/tenants/{tenant}/portal-sessions", new { })).StatusCode);

        var before = system.CountKeys(Core.Storage.RedisKeys.Global.PortalLink("*"));
        foreach (var (path, body, field) in new (string, object, string)[]
        {
            ($"/v1/tenants/{tenant}/portal-sessions", new { expiresInSeconds = 10 }, "expiresInSeconds"),
            ($"/v1/tenants/{tenant}/portal-sessions", new { expiresInSeconds = 30 * 24 * 3600 }, "expiresInSeconds"),
            ($"/v1/tenants/{tenant}/portal-sessions", new { endpoints = new[] { otherEndpoint } }, "endpoints"),
            ($"/v1/tenants/{tenant}/portal-sessions", new { endpoints = Array.Empty<string>() }, "endpoints"),
            ("/v1/tenants/NOT%20A%20TENANT/portal-sessions", new { }, "tenant"),
        })
        {
            var refused = await system.Ingest.PostAsJsonAsync(path, body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await JsonAsync(refused)).GetProperty("errors").TryGetProperty(field, out _), $"{path} {JsonSerializer.Serialize(body)}");
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await system.Ingest.PostAsJsonAsync($"/v1/tenants/{tenant}/portal-sessions", new { lifetime = 5 })).StatusCode);
        Assert.Equal(before, system.CountKeys(Core.Storage.RedisKeys.Global.PortalLink("*")));
    }

    [Fact]
    public void Every_route_the_portal_scope_names_is_one_of_ingests()
    {
        var routes = system.Service<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, e.RoutePattern.RawText?.TrimEnd('/'))))
            .ToHashSet();
        Assert.All(Ingest.Portal.PortalScope.Named, route => Assert.Contains((route.Method, route.Pattern), routes));
    }

    [Fact]
    public async Task A_session_ends_when_it_signs_out_and_its_actions_are_audited_under_its_id()
    {
        var tenant = NewTenant("audited");
        var (endpoint, _) = await system.CreateEndpointAsync(tenant, "https://audited.example/hook", ["order.*"]);
        var portal = await SessionAsync(tenant);
        var disabled = await portal.PostAsync($"/v1/endpoints/{endpoint}/disable", null);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Equal("manual", (await JsonAsync(disabled)).GetProperty("disabledReason").GetString());

        var audit = await JsonAsync(await system.Ingest.GetAsync($"/v1/audit?tenant={tenant}"));
        var entries = audit.GetProperty("data").EnumerateArray().ToList();
        var audited = entries.Single(e => e.GetProperty("action").GetString() == "endpoint.disabled");
        Assert.StartsWith("ps_", audited.GetProperty("actor").GetString());
        Assert.Equal("portal", audited.GetProperty("role").GetString());
        var enabled = await JsonAsync(await portal.PostAsync($"/v1/endpoints/{endpoint}/enable", null));
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("disabledReason").ValueKind);
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "portal.link_created");
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "portal.opened");

        Assert.Equal(HttpStatusCode.NoContent, (await portal.DeleteAsync("/v1/portal-sessions/current")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.GetAsync("/v1/endpoints")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await system.Ingest.DeleteAsync("/v1/portal-sessions/current")).StatusCode);
    }
}
