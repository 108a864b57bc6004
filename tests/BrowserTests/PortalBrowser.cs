using Microsoft.Playwright;

namespace Webhooks.BrowserTests;

/// <summary>What the tests do in a page beyond Playwright's own waiting: a page that only changes when reloaded.</summary>
public static class PortalBrowser
{
    /// <summary>Reloads <paramref name="page"/> until <paramref name="locate"/> finds something (deliveries arrive in the background), within 30 s.</summary>
    public static async Task<ILocator> ReloadUntilSeenAsync(this IPage page, Func<IPage, ILocator> locate, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var found = locate(page);
            if (await found.CountAsync() > 0)
            {
                return found;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The page never showed {what}; it shows:{Environment.NewLine}{await page.Locator("main").InnerTextAsync()}");
            }
            await Task.Delay(250);
            await page.ReloadAsync();
        }
    }

    /// <summary>
    /// With <c>WEBHOOKS_SCREENSHOTS</c> set to a folder (docs/images), a picture of the page for the docs, named
    /// <paramref name="name"/>; otherwise nothing.
    /// </summary>
    public static async Task ScreenshotForDocsAsync(this IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("WEBHOOKS_SCREENSHOTS") is { Length: > 0 } folder)
        {
            await page.SetViewportSizeAsync(1200, 900);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
        }
    }

    /// <summary>The table row of an attempt of <paramref name="eventId"/> with <paramref name="text"/> in it.</summary>
    public static ILocator AttemptRow(this IPage page, string eventId, string text) =>
        page.Locator("tr").Filter(new() { HasText = eventId }).Filter(new() { HasText = text });
}
