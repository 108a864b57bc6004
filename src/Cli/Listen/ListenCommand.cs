using System.Globalization;
using System.Text;
using System.Text.Json;
using Webhooks.Core.Signing;

namespace Webhooks.Cli.Listen;

/// <summary>
/// A local receiver: prints every webhook that arrives and whether its Standard Webhooks
/// signature verifies against the endpoint secret (what webhook.site does, offline); with
/// <c>--fetch</c>, a thin webhook's data is fetched through its signed link and printed too.
/// </summary>
public static class ListenCommand
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(string[] args)
    {
        string[] known = ["--port", "--status", "--secret", "--register", "--api-key", "--tenant", "--event-types", "--bind", "--url", "--log", "--payload"];
        var options = new Dictionary<string, string>();
        var fetch = false;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] == "--fetch")
            {
                fetch = true;
                i--;
                continue;
            }
            if (!known.Contains(args[i]) || i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"webhooks listen: unknown or incomplete option '{args[i]}'");
                return 2;
            }
            options[args[i]] = args[i + 1];
        }
        if (!int.TryParse(options.GetValueOrDefault("--port", "9000"), out var port) || !int.TryParse(options.GetValueOrDefault("--status", "200"), out var status))
        {
            Console.Error.WriteLine("webhooks listen: --port and --status take numbers.");
            return 2;
        }
        var secret = options.GetValueOrDefault("--secret");
        var register = options.GetValueOrDefault("--register");
        var log = options.GetValueOrDefault("--log");
        var bind = options.GetValueOrDefault("--bind", "127.0.0.1");
        if (secret is not null && !IsSecret(secret))
        {
            Console.Error.WriteLine("webhooks listen: --secret must be a 'whsec_' secret as returned when the endpoint was created.");
            return 2;
        }

        if (register is not null)
        {
            secret = await EndpointRegistration.RegisterAsync(new Uri(register), options.GetValueOrDefault("--api-key"), options.GetValueOrDefault("--tenant", "demo"),
                options.GetValueOrDefault("--event-types", "*").Split(','), options.GetValueOrDefault("--url", $"http://127.0.0.1:{port}/webhooks"), options.GetValueOrDefault("--payload", "full"));
            if (secret is null)
            {
                return 1;
            }
        }
        var output = log is null ? Console.Out : TextWriter.Synchronized(new StreamWriter(log, append: true) { AutoFlush = true });

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{bind}:{port}");
        var app = builder.Build();
        using var fetcher = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var fetched = fetch ? await FetchDataAsync(fetcher, buffer.ToArray()) : null;
            Print(output, request, buffer.ToArray(), secret, fetched);
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        output.WriteLine($"Listening on http://{bind}:{port}/ ({(secret is null ? "signatures not checked: pass --secret" : "verifying signatures")}); Ctrl-C stops.");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static bool IsSecret(string secret)
    {
        try
        {
            return secret.StartsWith(WebhookSecret.Prefix, StringComparison.Ordinal) && WebhookSecret.Key(secret).Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>What a thin webhook's <c>links.data</c> gave, as lines to print; null when it has no link.</summary>
    private static async Task<string?> FetchDataAsync(HttpClient http, byte[] body)
    {
        string link;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("links", out var links) || !links.TryGetProperty("data", out var data) || data.GetString() is not { } url)
            {
                return null;
            }
            link = url;
        }
        catch (JsonException)
        {
            return null;
        }
        try
        {
            using var response = await http.GetAsync(link);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                return $"data fetch refused: {(int)response.StatusCode} {text}";
            }
            using var fetched = JsonDocument.Parse(text);
            return "data (fetched): " + JsonSerializer.Serialize(fetched.RootElement, new JsonSerializerOptions { WriteIndented = true });
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return $"data fetch failed: {e.Message}";
        }
    }

    private static void Print(TextWriter output, HttpRequest request, byte[] body, string? secret, string? fetched)
    {
        var id = request.Headers["webhook-id"].ToString();
        var timestamp = request.Headers["webhook-timestamp"].ToString();
        var signature = request.Headers["webhook-signature"].ToString();
        var verdict = secret is null ? "? unverified"
            : WebhookSignature.Verify(secret, id, timestamp, signature, body, DateTimeOffset.UtcNow, Tolerance) ? "✔ verified"
            : "✘ SIGNATURE INVALID";
        string type = "?";
        string pretty;
        try
        {
            using var document = JsonDocument.Parse(body);
            type = document.RootElement.TryGetProperty("type", out var t) ? t.GetString() ?? "?" : "?";
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
