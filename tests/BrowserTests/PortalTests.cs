using Microsoft.Playwright;
using Webhooks.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Webhooks.BrowserTests;

/// <summary>
/// A customer in the tenant portal, in a real browser: opening a link, adding an endpoint at a real subscriber,
/// watching its deliveries succeed and fail, resending; and the walls around it (one tenant, one-time links).
/// </summary>
public sealed class PortalTests(ConsoleSystem system) : IClassFixture<ConsoleSystem>
{
    private static string NewTenant(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task A_customer_adds_an_endpoint_sees_it_deliver_and_fail_and_resends_what_failed()
    {
        var tenant = NewTenant("acme");
        var failing = false;
        await using var subscriber = await Subscriber.StartAsync(_ => Volatile.Read(ref failing) ? new Reply(500, Body: "database is down") : 204);
        await using var visitor = await system.NewVisitorAsync();
        var page = await visitor.NewPageAsync();

        await page.GotoAsync(await system.PortalLinkAsync(tenant));
        // The token left the address bar: the session is in the cookie.
        Assert.Equal($"{system.ConsoleUrl}portal", page.Url);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Endpoints" })).ToBeVisibleAsync();
        await Expect(page.Locator("header")).ToContainTextAsync(tenant);

        await page.GetByRole(AriaRole.Link, new() { Name = "Add an endpoint" }).ClickAsync();
        await page.GetByLabel("URL").FillAsync(subscriber.Url);
        await page.GetByLabel("Other types or wildcards (comma-separated)").FillAsync("order.*");
        await page.GetByLabel("Headers sent with each webhook").FillAsync("X-Customer: acme-42");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the endpoint" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Endpoint added");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = subscriber.Url })).ToBeVisibleAsync();

        var delivered = await system.PublishAsync(tenant, "order.created", new { amount = 10 });
        await page.ReloadUntilSeenAsync(p => p.AttemptRow(delivered, "succeeded"), $"the delivery of {delivered}");
        await Expect(page.Locator("svg.chart")).ToBeVisibleAsync();
        await Expect(page.Locator("p").Filter(new() { HasText = "1 attempts in the last day, 100% succeeded." })).ToBeVisibleAsync();
        // Links are relative to the page's <base>, which the CSP allows: from a nested page, back to the list.
        await page.GetByRole(AriaRole.Link, new() { Name = "← Endpoints" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Endpoints" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = subscriber.Url }).ClickAsync();

        Assert.Equal("acme-42", subscriber.Received.Single().Headers["X-Customer"].ToString());

        // Saved again unchanged, the header's hidden value is kept.
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Expect(page.GetByLabel("Headers sent with each webhook")).ToHaveValueAsync("X-Customer: ********");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Endpoint saved");

        Volatile.Write(ref failing, true);
        var failed = await system.PublishAsync(tenant, "order.created", new { amount = 20 });
        var row = await page.ReloadUntilSeenAsync(p => p.AttemptRow(failed, "failed 500"), $"the failed attempt of {failed}");
        await Expect(row.First).ToContainTextAsync("database is down");
        Assert.Equal("acme-42", subscriber.Received.Last().Headers["X-Customer"].ToString());
        await page.ScreenshotForDocsAsync("portal-endpoint.png");
        // Every retry fails (the tests' schedule is a second and a half): the delivery ends dead-lettered.
        await Eventually.HoldsAsync(async () => (await system.GetEventAsync(failed)).Deliveries.Single().Status, s => s == "dead_lettered", $"{failed} is dead-lettered");
        await page.GotoAsync($"{system.ConsoleUrl}portal/events/{failed}");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("dead lettered");
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("\"amount\": 20");
        await page.ScreenshotForDocsAsync("portal-event.png");

        Volatile.Write(ref failing, false);
        await page.GetByRole(AriaRole.Button, new() { Name = "Resend to this endpoint" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("will be sent again");
        await page.ReloadUntilSeenAsync(p => p.GetByRole(AriaRole.Main).Locator("h3").Filter(new() { HasText = "delivered" }), $"{failed} delivered after the resend");
        Assert.Equal("delivered", (await system.GetEventAsync(failed)).Deliveries.Single().Status);

        // The delivery log by endpoint is that endpoint's attempts, filtered alike.
        await page.GetByRole(AriaRole.Link, new() { Name = "Delivery log", Exact = true }).ClickAsync();
        await page.Locator("#filter-endpoint").SelectOptionAsync(new SelectOptionValue { Label = subscriber.Url });
        await page.Locator("#filter-status").SelectOptionAsync("delivered");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = subscriber.Url })).ToBeVisibleAsync();
        Assert.EndsWith("?status=succeeded", page.Url);
        Assert.Equal(0, await page.Locator("tbody tr").Filter(new() { HasText = "failed 500" }).CountAsync());
    }

    [Fact]
    public async Task A_portal_link_opens_once_and_never_after_it_expired()
    {
        var tenant = NewTenant("once");
        var link = await system.PortalLinkAsync(tenant);
        await using (var first = await system.NewVisitorAsync())
        {
            var page = await first.NewPageAsync();
            await page.GotoAsync(link);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Endpoints" })).ToBeVisibleAsync();
        }
        await using var second = await system.NewVisitorAsync();
        var reused = await second.NewPageAsync();
        await reused.GotoAsync(link);
        Assert.Equal($"{system.ConsoleUrl}portal/link-invalid", reused.Url);
        await Expect(reused.GetByRole(AriaRole.Alert)).ToContainTextAsync("was already used");
        // And without a session, the portal's pages send the visitor away.
        await reused.GotoAsync($"{system.ConsoleUrl}portal");
        Assert.StartsWith($"{system.ConsoleUrl}portal/signed-out", reused.Url);

        var expiring = await system.PortalLinkAsync(tenant);
        var token = expiring[(expiring.IndexOf("token=", StringComparison.Ordinal) + "token=".Length)..];
        Assert.True(await system.Redis.KeyExpireAsync(Core.Storage.RedisKeys.Global.PortalLink(Ingest.Auth.ApiKeyStore.HashOf(token)), TimeSpan.FromMilliseconds(1)));
        await Task.Delay(50);
        await reused.GotoAsync(expiring);
        Assert.Equal($"{system.ConsoleUrl}portal/link-invalid", reused.Url);
    }

    [Fact]
    public async Task A_session_ends_when_it_expires_and_when_the_customer_signs_out()
    {
        var tenant = NewTenant("ends");
        await using var visitor = await system.NewVisitorAsync();
        var page = await visitor.NewPageAsync();
        await page.GotoAsync(await system.PortalLinkAsync(tenant));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Endpoints" })).ToBeVisibleAsync();
        // The session's record at Ingest expires (as it does at the link's expiry time): the next page says so.
        var session = system.Primaries().SelectMany(s => s.Keys(pattern: system.KeyPrefix + Core.Storage.RedisKeys.Global.PortalSession("*")))
            .Select(k => ((string)k!)[system.KeyPrefix.Length..]).Single(k => ((string?)system.Redis.StringGet(k))!.Contains(tenant, StringComparison.Ordinal));
        await system.Redis.KeyExpireAsync(session, TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your session has ended" })).ToBeVisibleAsync();

        await page.GotoAsync(await system.PortalLinkAsync(tenant));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed out" })).ToBeVisibleAsync();
        await page.GotoAsync($"{system.ConsoleUrl}portal");
        Assert.StartsWith($"{system.ConsoleUrl}portal/signed-out", page.Url);
    }

    [Fact]
    public async Task A_portal_of_one_tenant_never_shows_another_tenants_endpoints_or_events_whatever_ids_it_is_given()
    {
        var (mine, theirs) = (NewTenant("mine"), NewTenant("theirs"));
        await using var subscriber = await Subscriber.StartAsync();
        var (theirEndpoint, _) = await system.CreateEndpointAsync(theirs, subscriber.Url + "/their-private-hook", ["order.*"]);
        var theirEvent = await system.PublishAsync(theirs, "order.created", new { note = "their-private-data" });
        await subscriber.WaitForAsync(1);
        await using var visitor = await system.NewVisitorAsync();
        var page = await visitor.NewPageAsync();
        await page.GotoAsync(await system.PortalLinkAsync(mine));

        foreach (var path in new[] { $"portal/endpoints/{theirEndpoint}", $"portal/endpoints/{theirEndpoint}/edit", $"portal/events/{theirEvent}", "portal", "portal/deliveries" })
        {
            await page.GotoAsync(system.ConsoleUrl + path);
            var content = await page.ContentAsync();
            Assert.DoesNotContain("their-private", content);
        }
        await page.GotoAsync($"{system.ConsoleUrl}portal/endpoints/{theirEndpoint}");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No endpoint");
    }

    [Fact]
    public async Task What_events_and_subscribers_say_is_shown_as_text_never_run()
    {
        const string Hostile = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">";
        var tenant = NewTenant("xss");
        await using var subscriber = await Subscriber.StartAsync(_ => new Reply(410, Body: "<img src=y onerror=\"window.__xss = 3\">gone"));
        var (endpoint, _) = await system.CreateEndpointAsync(tenant, subscriber.Url, ["order.*"], new { description = Hostile });
        var id = await system.PublishAsync(tenant, "order.created", new { note = Hostile });
        await subscriber.WaitForAsync(1);
        // With the page's CSP bypassed, escaping alone must keep the payloads inert.
        await using var visitor = await system.NewVisitorAsync(bypassCsp: true);
        var page = await visitor.NewPageAsync();
        await page.GotoAsync(await system.PortalLinkAsync(tenant));
        foreach (var path in new[] { "portal", $"portal/endpoints/{endpoint}", $"portal/events/{id}" })
        {
            await page.GotoAsync(system.ConsoleUrl + path);
            await page.ReloadUntilSeenAsync(p => p.GetByText("onerror", new() { Exact = false }), $"the hostile text on {path}");
            Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
            Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"), $"A payload ran on {path}");
        }
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("<script>window.__xss = 1</script>");
        // Its 410 switched the endpoint off, and the list says why.
        await page.GotoAsync(system.ConsoleUrl + "portal");
        await page.ReloadUntilSeenAsync(p => p.GetByText("it answered 410 Gone"), "why the endpoint is off");

        // And the CSP a normal visit gets allows no script at all.
        using var http = new HttpClient();
        var response = await http.GetAsync($"{system.ConsoleUrl}portal/signed-out");
        Assert.Contains("script-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }
}
