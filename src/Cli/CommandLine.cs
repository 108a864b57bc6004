using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Webhooks.Cli.Api;
using Webhooks.Cli.Output;

namespace Webhooks.Cli;

/// <summary>The options every command takes, and running a command's body with them.</summary>
public static class CommandLine
{
    public const string DefaultIngest = "http://127.0.0.1:5080";

    // Neither option has a default in its definition: --help would print it, and WEBHOOKS_API_KEY is a secret.
    // Named --ingest, not --url: an endpoint's URL is what users type --url for (endpoints add/update).
    public static readonly Option<string?> Ingest = new("--ingest")
    {
        Description = $"Ingest's address (else WEBHOOKS_URL, else {DefaultIngest})",
        HelpName = "url",
        Recursive = true,
    };

    public static readonly Option<string?> Key = new("--key")
    {
        Description = "an API key (else WEBHOOKS_API_KEY)",
        HelpName = "key",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "print the API's JSON instead of tables", Recursive = true };

    /// <summary>Ingest's address: <c>--ingest</c>, else <c>WEBHOOKS_URL</c>, else the local run's.</summary>
    public static string IngestAddress(ParseResult parsed) =>
        parsed.GetValue(Ingest) is { Length: > 0 } given ? given
        : Environment.GetEnvironmentVariable("WEBHOOKS_URL") is { Length: > 0 } fromEnvironment ? fromEnvironment
        : DefaultIngest;

    /// <summary>The API key: <c>--key</c>, else <c>WEBHOOKS_API_KEY</c>; null when neither is given.</summary>
    public static string? ApiKey(ParseResult parsed) =>
        parsed.GetValue(Key) is { Length: > 0 } given ? given : Environment.GetEnvironmentVariable("WEBHOOKS_API_KEY") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;

    /// <summary>What a command's body gets: the API, the printer, and its cancellation.</summary>
    public sealed record Session(IngestApi Api, Printer Out, ParseResult Parsed, CancellationToken Cancellation)
    {
        public T? Get<T>(Option<T> option) => Parsed.GetValue(option);

        public T? Get<T>(Argument<T> argument) => Parsed.GetValue(argument);
    }

    /// <summary>What the user gave as JSON (an option's value, a file's text), parsed; a usage error that names <paramref name="what"/> when it is not JSON.</summary>
    public static System.Text.Json.JsonElement? JsonOption(string what, string? text)
    {
        try
        {
            return text is null ? null : System.Text.Json.JsonDocument.Parse(text).RootElement;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CliFailure(ExitCodes.Usage, $"{what} is not JSON: {e.Message}");
        }
    }

    /// <summary>Prints why the command stops, on one line of stderr, with no credential in it.</summary>
    public static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"webhooks: {Redacted.Text(message)}");
        return exitCode;
    }

    /// <summary>Sets <paramref name="body"/> as the command's action; a failure is one line on stderr and its exit code.</summary>
    public static Command Runs(this Command command, Func<Session, Task<int>> body)
    {
        command.SetAction(async (parsed, cancellation) =>
        {
            var address = IngestAddress(parsed);
            if (!Uri.TryCreate(address, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                return Fail(ExitCodes.Usage, $"'{address}' is not an http(s) address: set --ingest or WEBHOOKS_URL to Ingest's (such as {DefaultIngest}).");
            }
            if (ApiKey(parsed) is not { } key)
            {
                return Fail(ExitCodes.Usage, "no API key: set WEBHOOKS_API_KEY or pass --key (./scripts/run.sh prints an admin key; webhooks keys create makes more).");
            }
            using var api = new IngestApi(url, key);
            try
            {
                return await body(new Session(api, new Printer(parsed.GetValue(Json)), parsed, cancellation));
            }
            catch (CliFailure failure)
            {
                return Fail(failure.ExitCode, failure.Message);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
            {
                // An answer without what Ingest's answers have: something else listens there.
                return Fail(ExitCodes.Unavailable, $"{Redacted.Text(url.GetLeftPart(UriPartial.Authority))} answered what Ingest does not ({e.Message}): is --ingest (or WEBHOOKS_URL) Ingest's address?");
            }
        });
        return command;
    }

    /// <summary>
    /// Whether a destructive command may go on: <c>--yes</c>, or a "y" typed at the prompt; without a
    /// terminal to ask at and without <c>--yes</c> it may not.
    /// </summary>
    public static bool Confirmed(this Session session, Option<bool> yes, string question)
    {
        if (session.Get(yes))
        {
            return true;
        }
        if (Console.IsInputRedirected)
        {
            Console.Error.WriteLine($"webhooks: {question} Not confirmed: pass --yes to confirm without a terminal.");
            return false;
        }
        Console.Error.Write($"{question} [y/N] ");
        return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
    }

    public static Option<bool> YesOption() => new("--yes", "-y") { Description = "do it without asking" };

    /// <summary>A length of time: <c>90s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>500ms</c>, or <c>00:05:00</c>.</summary>
    public static Option<TimeSpan?> DurationOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = result => ParseDuration(result.Tokens.Single().Value) is { } parsed ? parsed
            : Refuse<TimeSpan?>(result, $"{name} takes a length of time such as 90s, 5m, 2h, 1d or 00:05:00, not '{result.Tokens.Single().Value}'."),
    };

    /// <summary>A moment: ISO 8601 (<c>2026-12-02T19:00:00Z</c>), or a length of time back from now (<c>2h</c>: two hours ago).</summary>
    public static Option<DateTimeOffset?> TimeOption(string name, string description, bool required = false) => new(name)
    {
        Description = $"{description} (ISO 8601, or a time back from now such as 2h)",
        HelpName = "time",
        Required = required,
        CustomParser = result => ParseTime(result.Tokens.Single().Value) is { } parsed ? parsed
            : Refuse<DateTimeOffset?>(result, $"{name} takes a time such as 2026-12-02T19:00:00Z, or how long ago such as 2h, not '{result.Tokens.Single().Value}'."),
    };

    public static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        if (TimeSpan.TryParseExact(text, @"c", CultureInfo.InvariantCulture, out var exact) && text.Contains(':'))
        {
            return exact;
        }
        var units = new (string Suffix, double Seconds)[] { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400) };
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && !(suffix == "s" && text.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var count) && count >= 0 && double.IsFinite(count) && count * seconds < TimeSpan.MaxValue.TotalSeconds)
            {
                return TimeSpan.FromSeconds(count * seconds);
            }
        }
        return null;
    }

    public static DateTimeOffset? ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
        : ParseDuration(text) is { } ago ? DateTimeOffset.UtcNow - ago
        : null;

    private static T? Refuse<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default;
    }

    public static Command With(this Command command, params Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    command.Options.Add(option);
                    break;
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Command sub:
                    command.Subcommands.Add(sub);
                    break;
            }
        }
        return command;
    }

    public static string Query(params (string Name, string? Value)[] parameters) =>
        string.Join("&", parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
}
