using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Webhooks.Console;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.BrowserTests;

/// <summary>
/// The platform under test with its console: Ingest and a Dispatcher on real RabbitMQ and Redis, the Console
/// in front of Ingest, and Debian's chromium driven by Playwright (its own browser download cannot reach the
/// network here: <c>WEBHOOKS_TEST_CHROMIUM</c> names another browser).
/// </summary>
public sealed class ConsoleSystem : WebhooksSystemWithDispatcher, IAsyncLifetime
{
    private WebApplication? _console;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The console's address, ending in '/'.</summary>
    public string ConsoleUrl { get; private set; } = "";

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Webhooks:Console:IngestUrl"] = Ingest.BaseAddress!.ToString(),
            ["Webhooks:Console:Brand:Name"] = "Acme Webhooks",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddConsole();
        _console = builder.Build();
        _console.MapConsole();
        await _console.StartAsync();
        ConsoleUrl = _console.Urls.Single() + "/";
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("WEBHOOKS_TEST_CHROMIUM") is { Length: > 0 } chromium ? chromium : "/usr/bin/chromium",
            Headless = true,
            // As root in CI, and on a machine whose only network is loopback: no sandbox, no background connections.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_console is not null)
        {
            await _console.StopAsync();
            await _console.DisposeAsync();
        }
        await DisposeAsync();
    }

    /// <summary>A one-time portal link for <paramref name="tenant"/>, made through the API with the operator key; <paramref name="options"/> is its request body.</summary>
    public async Task<string> PortalLinkAsync(string tenant, object? options = null)
    {
        var response = await Ingest.PostAsJsonAsync($"/v1/tenants/{tenant}/portal-sessions", options ?? new { });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var link = await response.Content.ReadFromJsonAsync<JsonElement>();
        return $"{ConsoleUrl}portal/open?token={link.GetProperty("token").GetString()}";
    }

    /// <summary>A fresh browser context (its own cookies), as a new visitor.</summary>
    public Task<IBrowserContext> NewVisitorAsync(bool bypassCsp = false) => Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = bypassCsp });
}
