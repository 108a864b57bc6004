using System.Globalization;
using System.Text;
using System.Text.Json;
using Webhooks.Signing;

namespace Webhooks.Cli.Listen;

/// <summary>
/// A local receiver: prints every webhook that arrives and whether its Standard Webhooks
/// signature verifies against the endpoint secret (what webhook.site does, offline); with
/// <c>--fetch</c>, a thin webhook's data is fetched through its signed link and printed too.
/// </summary>
public static class ListenCommand
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Runs <c>listen</c> with its own options; <paramref name="ingest"/> and <paramref name="apiKey"/> are the global ones, used when <c>--register</c> and <c>--api-key</c> leave them out.</summary>
    public static async Task<int> RunAsync(string[] args, string ingest, string? apiKey, bool json = false)
    {
        string[] known = ["--port", "--status", "--secret", "--register", "--api-key", "--tenant", "--event-types", "--bind", "--url", "--log", "--payload"];
        // The global options belong to every command; listen's own parsing sees only what they left.
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

        // Data links are fetched only from Ingest: the one registered with, else the global --ingest (WEBHOOKS_URL).
        if (!Uri.TryCreate(register ?? ingest, UriKind.Absolute, out var ingestUri) || ingestUri.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"webhooks listen: '{Api.Redacted.Text(register ?? ingest)}' is not Ingest's http(s) address.");
            return 2;
        }
        if (register is not null)
        {
            secret = await EndpointRegistration.RegisterAsync(ingestUri, options.GetValueOrDefault("--api-key") ?? apiKey, options.GetValueOrDefault("--tenant", "demo"),
                options.GetValueOrDefault("--event-types", "*").Split(','), options.GetValueOrDefault("--url", $"http://127.0.0.1:{port}/webhooks"), options.GetValueOrDefault("--payload", "full"));
            if (secret is null)
            {
                return 1;
            }
        }
        // With --log, what is printed goes to the file and to the terminal both.
        var output = log is null ? Console.Out : TextWriter.Synchronized(new ListenOutput.TeeWriter(new StreamWriter(log, append: true) { AutoFlush = true }, Console.Out));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{bind}:{port}");
        var app = builder.Build();
        using var fetcher = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            // Taken first: when the webhook arrived, as a subscriber counting requests would see it.
            var arrived = DateTimeOffset.UtcNow;
            var verdict = Verdict(request, buffer.ToArray(), secret);
            // Only a webhook whose signature verified is believed, and its link followed only to Ingest's own origin.
            var fetched = !fetch ? null
                : verdict != Verified ? "data not fetched: the signature did not verify"
                : await FetchDataAsync(fetcher, buffer.ToArray(), ingestUri);
            if (json)
            {
                ListenOutput.PrintJson(output, request, buffer.ToArray(), arrived, verdict, status, fetched);
            }
            else
            {
                ListenOutput.Print(output, request, buffer.ToArray(), verdict, status, fetched);
            }
            return Results.StatusCode(status);
        });
        try
        {
            await app.StartAsync();
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"webhooks listen: {bind}:{port} is taken (another listener, or the local run's demo receiver on 9000?): pick another with --port.");
            return 3;
        }
        // With --json, stdout is one webhook a line: what is said about the listener goes to stderr.
        (json ? Console.Error : output).WriteLine($"Listening on http://{bind}:{port}/ ({(secret is null ? "signatures not checked: pass --secret" : "verifying signatures")}; answering {status}); Ctrl-C stops.");
        await app.WaitForShutdownAsync();
        return 0;
    }

    internal const string Verified = "✔ verified";

    private static string Verdict(HttpRequest request, byte[] body, string? secret) =>
        secret is null ? "? unverified"
        : WebhookSignature.Verify(secret, request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(), request.Headers["webhook-signature"].ToString(), body, DateTimeOffset.UtcNow, Tolerance) ? Verified
        : "✘ SIGNATURE INVALID";


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

    /// <summary>What a thin webhook's <c>links.data</c> gave, as lines to print; null when it has no link. A link to anywhere but <paramref name="ingest"/>'s origin is not followed.</summary>
    private static async Task<string?> FetchDataAsync(HttpClient http, byte[] body, Uri ingest)
    {
        string link;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("links", out var links) || links.ValueKind != JsonValueKind.Object
                || !links.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            link = data.GetString()!;
        }
        catch (JsonException)
        {
            return null;
        }
        if (!Uri.TryCreate(link, UriKind.Absolute, out var target) || !string.Equals(target.GetLeftPart(UriPartial.Authority), ingest.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
        {
            return $"data not fetched: the link leads away from Ingest ({ingest.GetLeftPart(UriPartial.Authority)}; set --register or --ingest to where Ingest is)";
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
}
