using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Webhooks.Cli.Listen;

/// <summary>What <c>webhooks listen</c> prints of each webhook: for people, or one JSON line (<c>--json</c>); to the terminal, and the log.</summary>
internal static class ListenOutput
{
    /// <summary>Writes to two writers at once (the log file and the terminal).</summary>
    public sealed class TeeWriter(TextWriter first, TextWriter second) : TextWriter
    {
        public override System.Text.Encoding Encoding => first.Encoding;

        public override void Write(char value)
        {
            first.Write(value);
            second.Write(value);
        }

        public override void Write(string? value)
        {
            first.Write(value);
            second.Write(value);
        }

        public override void WriteLine(string? value)
        {
            first.WriteLine(value);
            second.WriteLine(value);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                first.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>One webhook as one line of JSON (<c>--json</c>): when it arrived (to the millisecond), its id, type, signature, answer and body.</summary>
    public static void PrintJson(TextWriter output, HttpRequest request, byte[] body, DateTimeOffset arrived, string verdict, int status, string? fetched)
    {
        JsonElement? parsed = null;
        try
        {
            parsed = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
        }
        output.WriteLine(JsonSerializer.Serialize(new
        {
            receivedAt = arrived,
            webhookId = request.Headers["webhook-id"].ToString(),
            type = parsed is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null,
            signature = verdict == ListenCommand.Verified ? "verified" : verdict.Contains("INVALID", StringComparison.Ordinal) ? "invalid" : "unchecked",
            answered = status,
            path = request.Path.Value,
            traceparent = request.Headers["traceparent"].ToString(),
            body = parsed ?? (object)Encoding.UTF8.GetString(body),
            fetched,
        }));
    }

    public static void Print(TextWriter output, HttpRequest request, byte[] body, string verdict, int status, string? fetched)
    {
        var id = request.Headers["webhook-id"].ToString();
        // A failure answered on purpose (--status 500) is said beside the verdict: the sender will retry it.
        if (status is < 200 or > 299)
        {
            verdict = $"✘ answered {status} (signature {verdict[2..].ToLowerInvariant()}; the sender will retry it)";
        }
        string type = "?";
        string pretty;
        try
        {
            using var document = JsonDocument.Parse(body);
            type = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "?";
            pretty = JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true });
        }
        catch (JsonException)
        {
            pretty = Encoding.UTF8.GetString(body);
        }
        var text = new StringBuilder();
        text.AppendLine($"{DateTimeOffset.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}  {verdict}  {id}  {type}  {request.Path}");
        text.AppendLine($"    traceparent: {request.Headers["traceparent"]}");
        foreach (var line in pretty.Split('\n'))
        {
            text.AppendLine("    " + line);
        }
        foreach (var line in fetched?.Split('\n') ?? [])
        {
            text.AppendLine("    " + line);
        }
        output.Write(text.ToString());
    }
}
