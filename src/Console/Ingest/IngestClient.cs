using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Webhooks.Console.Ingest;

/// <summary>
/// Ingest's HTTP API as the console's pages use it, with the caller's credential (a portal session key, or the
/// operator key) on each request: JSON in, an <see cref="ApiAnswer"/> out, a refusal never thrown.
/// </summary>
public sealed class IngestClient(HttpClient http)
{
    public Task<ApiAnswer> GetAsync(string? bearer, string path, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, bearer, path, null, cancellationToken);

    public Task<ApiAnswer> PostAsync(string? bearer, string path, object? body, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, bearer, path, body, cancellationToken);

    public async Task<ApiAnswer> SendAsync(HttpMethod method, string? bearer, string path, object? body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var json = text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true
                ? JsonDocument.Parse(text).RootElement.Clone()
                : default;
            return new ApiAnswer((int)response.StatusCode, json);
        }
        catch (HttpRequestException e)
        {
            return ApiAnswer.Unreachable($"Ingest could not be reached ({e.HttpRequestError}).");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ApiAnswer.Unreachable("Ingest did not answer in time.");
        }
    }

    /// <summary>As the API's own JSON: camelCase, nulls left out.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static void Register(IServiceCollection services, Func<IServiceProvider, Uri> ingestUrl) =>
        services.AddHttpClient<IngestClient>((sp, client) =>
        {
            var url = ingestUrl(sp);
            client.BaseAddress = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
            client.Timeout = TimeSpan.FromSeconds(30);
        });
}

/// <summary>What Ingest answered: its status and JSON body; for a refusal, its problem+json said as one message.</summary>
public sealed record ApiAnswer(int Status, JsonElement Body, string? UnreachableReason = null)
{
    public static ApiAnswer Unreachable(string reason) => new(503, default, reason);

    public bool Ok => Status is >= 200 and < 300;

    /// <summary>The credential no longer works: a portal session that expired or was ended.</summary>
    public bool Unauthorized => Status == 401;

    /// <summary>A refusal as a reader would say it: the problem's title and detail, then each field's errors.</summary>
    public string Message
    {
        get
        {
            if (UnreachableReason is not null)
            {
                return UnreachableReason;
            }
            if (Body.ValueKind != JsonValueKind.Object)
            {
                return $"Ingest answered {Status}.";
            }
            var parts = new List<string>();
            foreach (var name in new[] { "title", "detail" })
            {
                if (Body.TryGetProperty(name, out var part) && part.GetString() is { Length: > 0 } text)
                {
                    parts.Add(text.TrimEnd('.') + ".");
                }
            }
            if (Body.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                parts.AddRange(errors.EnumerateObject().SelectMany(entry => entry.Value.ValueKind == JsonValueKind.Array
                    ? entry.Value.EnumerateArray().Select(e => e.ToString())
                    : [entry.Value.ToString()]));
            }
            return parts.Count > 0 ? string.Join(" ", parts) : $"Ingest answered {Status}.";
        }
    }

    public string? String(string name) => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public IEnumerable<JsonElement> Data => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array ? data.EnumerateArray() : [];
}
