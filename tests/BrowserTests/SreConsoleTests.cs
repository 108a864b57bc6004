using System.Net.Http.Json;
using Microsoft.Playwright;
using Webhooks.Ingest.Auth;
using Webhooks.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Webhooks.BrowserTests;

/// <summary>The SRE console in a real browser: signing in with an operator key kept on the server, finding a dead letter and redriving it as a job.</summary>
public sealed class SreConsoleTests(ConsoleSystem system) : IClassFixture<ConsoleSystem>
{
    [Fact]
    public async Task An_sre_finds_a_dead_letter_and_redrives_it_and_the_key_never_reaches_the_browser()
    {
        var tenant = $"sre-{Guid.NewGuid():N}"[..16];
        var failing = true;
        await using var subscriber = await Subscriber.StartAsync(_ => Volatile.Read(ref failing) ? new Reply(503, Body: "maintenance") : 204);
        var (endpoint, _) = await system.CreateEndpointAsync(tenant, subscriber.Url, ["order.*"]);
        var id = await system.PublishAsync(tenant, "order.created", new { orderId = "sre-1" });
        await Eventually.HoldsAsync(async () => (await system.GetEventAsync(id)).Deliveries.SingleOrDefault()?.Status, s => s == "dead_lettered", $"{id} is dead-lettered");

        await using var visitor = await system.NewVisitorAsync();
        var page = await visitor.NewPageAsync();
        await page.GotoAsync($"{system.ConsoleUrl}sre/dead-letters");
        Assert.StartsWith($"{system.ConsoleUrl}sre/sign-in", page.Url);
        foreach (var (key, refusal) in new[] { ("whk_not-a-key", "does not know this key"), (await TenantAdminKeyAsync(tenant), "needs an operator key") })
        {
            await page.GetByLabel("Operator API key").FillAsync(key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(refusal);
        }
        await page.GetByLabel("Operator API key").FillAsync(system.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dead letters" })).ToBeVisibleAsync();

        // The endpoint is failing: listed among the failing endpoints, with its dead letters a click away.
        await page.GetByRole(AriaRole.Link, new() { Name = "Failing endpoints" }).ClickAsync();
        await Expect(page.Locator("tbody tr").Filter(new() { HasText = endpoint })).ToContainTextAsync(tenant);
        await page.GetByRole(AriaRole.Link, new() { Name = "Dead letters" }).First.ClickAsync();

        await page.GetByLabel("Endpoint").FillAsync(endpoint);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var row = page.Locator("tbody tr").Filter(new() { HasText = id });
        await Expect(row).ToContainTextAsync("exhausted");
        await Expect(row).ToContainTextAsync("503");
        await page.ScreenshotForDocsAsync("sre-dead-letters.png");
        await row.GetByRole(AriaRole.Link).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("sre-1");
        await page.GoBackAsync();

        Volatile.Write(ref failing, false);
        await page.GetByRole(AriaRole.Button, new() { Name = "Redrive every match (as a job)" }).ClickAsync();
        Assert.Contains("/sre/jobs/job_", page.Url);
        // The job's page follows it by reloading itself.
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("This job is done", new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("1 redriven");
        await Eventually.HoldsAsync(async () => (await system.GetEventAsync(id)).Deliveries.Single().Status, s => s == "delivered", $"{id} is delivered after the redrive");

        await page.GetByRole(AriaRole.Link, new() { Name = "Queues" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "lane" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("webhooks-");

        // The operator key is on the console's server alone: no cookie or storage of the browser holds it.
        Assert.DoesNotContain((await visitor.CookiesAsync()), c => c.Value.Contains(system.AdminKey, StringComparison.Ordinal));
        Assert.Equal("0", await page.EvaluateAsync<string>("() => String(localStorage.length + sessionStorage.length)"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "SRE console" })).ToBeVisibleAsync();
        await page.GotoAsync($"{system.ConsoleUrl}sre/dead-letters");
        Assert.StartsWith($"{system.ConsoleUrl}sre/sign-in", page.Url);
    }

    private async Task<string> TenantAdminKeyAsync(string tenant)
    {
        var created = await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant });
        return (await created.Content.ReadFromJsonAsync<ApiKeyView>())!.Key!;
    }
}
