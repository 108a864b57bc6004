using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Webhooks.Cli.Api;

/// <summary>Ingest's HTTP API as the commands use it: JSON in and out, every refusal a <see cref="CliFailure"/> that says why.</summary>
public sealed class IngestApi(Uri baseAddress, string? apiKey) : IDisposable
{
    private readonly HttpClient _http = CreateClient(baseAddress, apiKey);

    /// <summary>Ingest as messages name it: scheme, host and port, never a credential.</summary>
    private string Where => Redacted.Text(baseAddress.GetLeftPart(UriPartial.Authority));

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

    public Task<JsonElement> PutAsync(string path, object body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, path, body, cancellationToken);

    public Task<JsonElement> PatchAsync(string path, object body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Patch, path, body, cancellationToken);

    public Task<JsonElement> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>Every item of a list, following its pages from <paramref name="after"/>, up to <paramref name="max"/>; and where the list goes on (null: its end).</summary>
    public async Task<(List<JsonElement> Items, string? NextAfter)> PageAsync(string path, int max, string? after, CancellationToken cancellationToken)
    {
        var items = new List<JsonElement>();
        var separator = path.Contains('?') ? '&' : '?';
        while (items.Count < max)
        {
            var limit = Math.Min(200, max - items.Count);
            var page = await GetAsync($"{path}{separator}limit={limit}{(after is null ? "" : $"&after={Uri.EscapeDataString(after)}")}", cancellationToken);
            items.AddRange(page.GetProperty("data").EnumerateArray());
            if ((after = page.TryGetProperty("nextAfter", out var next) ? next.GetString() : null) is null)
            {
                break;
            }
        }
        return (items, after);
    }

    /// <summary>Every item of a list, following its pages, up to <paramref name="max"/>.</summary>
    public async Task<List<JsonElement>> ListAsync(string path, int max, CancellationToken cancellationToken) => (await PageAsync(path, max, null, cancellationToken)).Items;

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
            throw new CliFailure(ExitCodes.Unavailable, $"cannot reach Ingest at {Where}: {e.Message} (set --ingest or WEBHOOKS_URL to its address)");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliFailure(ExitCodes.Unavailable, $"Ingest at {Where} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                return default;
            }
            if (response.IsSuccessStatusCode)
            {
                return TryParse(text) ?? throw NotIngest(response);
            }
            var isProblem = TryParse(text) is { ValueKind: JsonValueKind.Object } && response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json";
            // A refusal that is not a problem document is not Ingest's: as good as not reaching it.
            throw new CliFailure((int)response.StatusCode >= 500 || !isProblem && response.StatusCode != HttpStatusCode.Unauthorized ? ExitCodes.Unavailable : ExitCodes.Refused, Explain(response, text));
        }
    }

    private static JsonElement? TryParse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private CliFailure NotIngest(HttpResponseMessage response) => new(ExitCodes.Unavailable,
        $"{Where} answered {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType ?? "without a body"}, not Ingest's JSON: is --ingest (or WEBHOOKS_URL) Ingest's address?");

    /// <summary>A problem document in one line: its status, title, detail and each field's errors.</summary>
    private string Explain(HttpResponseMessage response, string text)
    {
        var status = response.StatusCode;
        if (status == HttpStatusCode.Unauthorized)
        {
            return "the API key was refused (401): pass a valid key with --key or WEBHOOKS_API_KEY";
        }
        if (TryParse(text) is not { ValueKind: JsonValueKind.Object } problem || response.Content.Headers.ContentType?.MediaType is not ("application/problem+json" or "application/json"))
        {
            // Every refusal of Ingest's is a problem document: this came from something else.
            return $"{Where} answered {(int)status} {status} without a problem document: is --ingest (or WEBHOOKS_URL) Ingest's address?";
        }
        var parts = new List<string>();
        if (problem.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String)
        {
            parts.Add(title.GetString()!);
        }
        if (problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
        {
            parts.Add(detail.GetString()!);
        }
        if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            parts.AddRange(errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(m => m.ToString()))}"));
        }
        return $"{(int)status} {string.Join(" — ", parts)}";
    }

    public void Dispose() => _http.Dispose();
}
