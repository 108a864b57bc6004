using System.Text.Json;
using Webhooks.Core;

namespace Webhooks.Ingest.Requests;

/// <summary>A request body read with a size limit and parsed into <typeparamref name="T"/>, or the problem that explains why not.</summary>
internal readonly record struct JsonBody<T>(T? Value, byte[] Bytes, IResult? Problem);

internal static class JsonBody
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static async Task<JsonBody<T>> ReadAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken) where T : class
    {
        if (request.ContentType is not { } contentType || !(contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return Fail<T>(TypedResults.Problem($"Send the body as JSON with 'Content-Type: application/json' (got '{request.ContentType}').",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type"));
        }
        if (request.ContentLength > maxBytes)
        {
            return Fail<T>(TooLarge(maxBytes));
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return Fail<T>(TooLarge(maxBytes));
            }
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        // JSON text is UTF-8: bytes that are not would be kept as U+FFFD, a change to what the client sent.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Fail<T>(Invalid("The body is not valid UTF-8."));
        }
        try
        {
            using var document = JsonDocument.Parse(bytes, DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Fail<T>(Invalid("The body must be a JSON object."));
            }
            return new JsonBody<T>(document.RootElement.Deserialize<T>(WebhooksJson.Options), bytes, null);
        }
        catch (JsonException e)
        {
            return Fail<T>(Invalid($"The body is not valid JSON for this request: {e.Message}"));
        }
    }

    public static IResult TooLarge(int maxBytes) =>
        TypedResults.Problem($"The body is larger than the limit of {maxBytes / 1024} KiB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");

    public static IResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Malformed request body");

    private static JsonBody<T> Fail<T>(IResult problem) => new(default, [], problem);
}
