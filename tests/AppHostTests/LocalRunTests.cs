using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Webhooks.AppHostTests;

/// <summary>The AppHost a newcomer runs, end to end: an event goes in, a verified delivery comes out.</summary>
public sealed class LocalRunTests
{
    [Fact]
    public async Task The_local_run_delivers_an_event_verified_to_the_demo_receiver()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>();
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await app.StartAsync(timeout.Token);
        await app.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceHealthyAsync("ingest", timeout.Token);

        var run = Path.Combine(RepositoryRoot(), ".run", "aspire");
        var receiverLog = Path.Combine(run, "receiver.log");
        await WaitUntilAsync(() => File.Exists(receiverLog) && File.ReadAllText(receiverLog).Contains("Listening"), timeout.Token);
        using var ingest = app.CreateHttpClient("ingest", "http");
        ingest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await File.ReadAllTextAsync(Path.Combine(run, "admin-key"), timeout.Token));

        var response = await ingest.PostAsJsonAsync("/v1/events", new { type = "order.created", tenant = "demo", data = new { orderId = "smoke" } }, timeout.Token);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("id").GetString();

        await WaitUntilAsync(() => File.ReadAllText(receiverLog).Contains($"✔ verified  {id}"), timeout.Token);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(200, cancellationToken);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Webhooks.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Webhooks.sln not found above the test's folder.");
    }
}
