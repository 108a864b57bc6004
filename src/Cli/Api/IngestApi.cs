using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Webhooks.Cli.Api;

/// <summary>Ingest's HTTP API as the commands use it: JSON in and out, every refusal a <see cref="CliFailure"/> that says why.</summary>
public sealed class IngestApi(Uri baseAddress, string? apiKey) : IDisposable
{
    private readonly HttpClient _http = CreateClient(baseAddress, apiKey);

    private static HttpClient CreateClient(Uri baseAddress, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        return http;
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, body, cancellationToken);

    public Task<JsonElement> PatchAsync(string path, object body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Patch, path, body, cancellationToken);

    public Task<JsonElement> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>Every item of a list, following its pages, up to <paramref name="max"/>.</summary>
    public async Task<List<JsonElement>> ListAsync(string path, int max, CancellationToken cancellationToken)
    {
        var items = new List<JsonElement>();
        var separator = path.Contains('?') ? '&' : '?';
        for (string? after = null; items.Count < max;)
        {
            var limit = Math.Min(200, max - items.Count);
            var page = await GetAsync($"{path}{separator}limit={limit}{(after is null ? "" : $"&after={Uri.EscapeDataString(after)}")}", cancellationToken);
            items.AddRange(page.GetProperty("data").EnumerateArray());
            if ((after = page.TryGetProperty("nextAfter", out var next) ? next.GetString() : null) is null)
            {
                break;
            }
        }
        return items;
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliFailure(ExitCodes.Unavailable, $"cannot reach Ingest at {_http.BaseAddress}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliFailure(ExitCodes.Unavailable, $"Ingest at {_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            }
            throw new CliFailure((int)response.StatusCode >= 500 ? ExitCodes.Unavailable : ExitCodes.Refused, Explain(response.StatusCode, text));
        }
    }

    /// <summary>A problem document in one line: its status, title, detail and each field's errors.</summary>
    private static string Explain(HttpStatusCode status, string text)
    {
        if (status == HttpStatusCode.Unauthorized)
        {
            return "the API key was refused (401): pass a valid key with --key or WEBHOOKS_API_KEY";
        }
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            var parts = new List<string>();
            if (problem.TryGetProperty("title", out var title) && title.GetString() is { } t)
            {
                parts.Add(t);
            }
            if (problem.TryGetProperty("detail", out var detail) && detail.GetString() is { } d)
            {
                parts.Add(d);
            }
            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                parts.AddRange(errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(m => m.GetString()))}"));
            }
            return $"{(int)status} {string.Join(" — ", parts)}";
        }
        catch (JsonException)
        {
            return $"{(int)status} {status}";
        }
    }

    public void Dispose() => _http.Dispose();
}
