using System.Net.Http.Headers;
using System.Text.Json;
using Webhooks.Cli.Api;

namespace Webhooks.Cli.Listen;

/// <summary>Subscribes the listener as an endpoint, waiting for Ingest to come up, and returns the endpoint's secret.</summary>
public static class EndpointRegistration
{
    public static async Task<string?> RegisterAsync(Uri ingest, string? apiKey, string tenant, string[] eventTypes, string url, string payload = "full")
    {
        using var http = new HttpClient { BaseAddress = ingest, Timeout = TimeSpan.FromSeconds(10) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                var response = await http.PostAsJsonAsync("/v1/endpoints", new { tenant, url, eventTypes, payload, description = "webhooks listen" });
                if (response.IsSuccessStatusCode)
                {
                    var created = await response.Content.ReadFromJsonAsync<JsonElement>();
                    Console.WriteLine($"Registered endpoint {created.GetProperty("id").GetString()} for tenant {tenant} at {url}");
                    return created.GetProperty("secret").GetString();
                }
                if ((int)response.StatusCode < 500)
                {
                    Console.Error.WriteLine($"webhooks listen: Ingest refused the endpoint ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
                    return null;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not up yet (or not answering): asked again until the deadline.
            }
            if (DateTimeOffset.UtcNow >= deadline)
            {
                Console.Error.WriteLine($"webhooks listen: Ingest at {Redacted.Text(ingest.ToString())} did not answer within two minutes.");
                return null;
            }
            await Task.Delay(500);
        }
    }
}
