using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Webhooks.Console;
using static Microsoft.Playwright.Assertions;

namespace Webhooks.BrowserTests;

/// <summary>
/// The portal embedded in another site's page: framed by the origins configured and by no other, with the brand
/// configured; and settings that would widen the policy refused at start.
/// </summary>
public sealed class EmbeddingTests(ConsoleSystem system) : IClassFixture<ConsoleSystem>
{
    private static async Task<WebApplication> StartConsoleAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        }.Concat(settings));
        builder.AddConsole();
        var app = builder.Build();
        app.MapConsole();
        await app.StartAsync();
        return app;
    }

    /// <summary>A site of a company's own on 127.0.0.1 whose page frames what <paramref name="framed"/> says then.</summary>
    private static async Task<WebApplication> StartSiteAsync(Func<string> framed)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var site = builder.Build();
        site.MapGet("/", () => Results.Content($"<!DOCTYPE html><html><body><h1>Our app</h1><iframe title=\"webhooks\" src=\"{framed()}\"></iframe></body></html>", "text/html"));
        await site.StartAsync();
        return site;
    }

    [Fact]
    public async Task The_portal_is_framed_by_the_origins_configured_alone_and_shows_the_brand()
    {
        var framed = "about:blank";
        await using var allowed = await StartSiteAsync(() => framed);
        await using var other = await StartSiteAsync(() => framed);
        var allowedOrigin = allowed.Urls.Single();
        await using var console = await StartConsoleAsync(new()
        {
            ["Webhooks:Console:IngestUrl"] = system.Ingest.BaseAddress!.ToString(),
            ["Webhooks:Console:FrameAncestors:0"] = allowedOrigin,
            ["Webhooks:Console:Brand:Name"] = "Acme Cloud",
            ["Webhooks:Console:Brand:LogoUrl"] = "https://cdn.example.com/acme.svg",
            ["Webhooks:Console:Brand:AccentColor"] = "#ff5500",
        });
        framed = console.Urls.Single() + "/portal/signed-out";

        await using var visitor = await system.NewVisitorAsync();
        var browser = await visitor.NewPageAsync();
        await browser.GotoAsync(allowedOrigin);
        var frame = browser.FrameLocator("iframe[title=webhooks]");
        await Expect(frame.GetByRole(AriaRole.Heading, new() { Name = "Signed out" })).ToBeVisibleAsync();
        await Expect(frame.Locator("header")).ToContainTextAsync("Acme Cloud");
        Assert.Equal("https://cdn.example.com/acme.svg", await frame.Locator("header img").GetAttributeAsync("src"));
        using var http = new HttpClient();
        Assert.Contains("#ff5500", await http.GetStringAsync(console.Urls.Single() + "/assets/brand.css"));

        // Framed by any other origin, the browser refuses to show it.
        await browser.GotoAsync(other.Urls.Single());
        await Expect(browser.GetByRole(AriaRole.Heading, new() { Name = "Our app" })).ToBeVisibleAsync();
        Assert.Equal(0, await browser.FrameLocator("iframe[title=webhooks]").GetByRole(AriaRole.Heading, new() { Name = "Signed out" }).CountAsync());
    }

    [Fact]
    public async Task Settings_that_would_widen_the_policy_or_the_page_stop_the_console_at_start()
    {
        foreach (var (key, value) in new[]
        {
            ("Webhooks:Console:FrameAncestors:0", "https://app.example.com; script-src *"),
            ("Webhooks:Console:FrameAncestors:0", "*"),
            ("Webhooks:Console:Brand:AccentColor", "red; background: url(https://evil.example)"),
            ("Webhooks:Console:Brand:LogoUrl", "http://cdn.example.com/logo.svg"),
        })
        {
            await Assert.ThrowsAsync<OptionsValidationException>(() => StartConsoleAsync(new() { ["Webhooks:Console:IngestUrl"] = "http://127.0.0.1:5080", [key] = value }));
        }
    }
}
