using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.BrowserTests;

/// <summary>The portal's and the SRE console's pages pass axe without a serious or critical violation.</summary>
public sealed class AccessibilityTests(ConsoleSystem system) : IClassFixture<ConsoleSystem>
{
    [Fact]
    public async Task Every_page_of_the_portal_and_the_sre_console_passes_axe()
    {
        var tenant = $"axe-{Guid.NewGuid():N}"[..16];
        await using var subscriber = await Subscriber.StartAsync();
        var (endpoint, _) = await system.CreateEndpointAsync(tenant, subscriber.Url, ["order.*"]);
        var id = await system.PublishAsync(tenant, "order.created", new { amount = 1 });
        await subscriber.WaitForAsync(1);
        // axe runs as a script in the page, which the portal's CSP would refuse.
        await using var visitor = await system.NewVisitorAsync(bypassCsp: true);
        var page = await visitor.NewPageAsync();
        await page.GotoAsync(await system.PortalLinkAsync(tenant));
        var failures = new List<string>();
        foreach (var path in new[] { "portal", "portal/endpoints/new", $"portal/endpoints/{endpoint}", $"portal/endpoints/{endpoint}/edit", "portal/deliveries", $"portal/events/{id}", "portal/link-invalid",
            "sre/sign-in", "sre/dead-letters", "sre/failing-endpoints", "sre/over-quota", "sre/queues", "sre/jobs", "sre/audit" })
        {
            if (path == "sre/dead-letters")
            {
                await page.GetByLabel("Operator API key").FillAsync(system.AdminKey);
                await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            }
            await page.GotoAsync(system.ConsoleUrl + path);
            var result = await page.RunAxe();
            Assert.NotEmpty(result.Passes);
            failures.AddRange(result.Violations.Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{path}: {v.Id} ({v.Impact}) {v.Help}: {string.Join("; ", v.Nodes.Select(n => n.Html))}"));
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }
}
