using System.CommandLine;
using Webhooks.Cli.Api;
using Webhooks.Cli.Output;

namespace Webhooks.Cli;

/// <summary>The options every command takes, and running a command's body with them.</summary>
public static class CommandLine
{
    public static readonly Option<string> Url = new("--url")
    {
        Description = "Ingest's address (else WEBHOOKS_URL, else http://127.0.0.1:5080)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("WEBHOOKS_URL") ?? "http://127.0.0.1:5080",
    };

    public static readonly Option<string?> Key = new("--key")
    {
        Description = "an API key (else WEBHOOKS_API_KEY)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("WEBHOOKS_API_KEY"),
    };

    public static readonly Option<bool> Json = new("--json") { Description = "print the API's JSON instead of tables", Recursive = true };

    /// <summary>What a command's body gets: the API, the printer, and its cancellation.</summary>
    public sealed record Session(IngestApi Api, Printer Out, ParseResult Parsed, CancellationToken Cancellation)
    {
        public T? Get<T>(Option<T> option) => Parsed.GetValue(option);

        public T? Get<T>(Argument<T> argument) => Parsed.GetValue(argument);
    }

    /// <summary>Sets <paramref name="body"/> as the command's action; a failure is one line on stderr and its exit code.</summary>
    public static Command Runs(this Command command, Func<Session, Task<int>> body)
    {
        command.SetAction(async (parsed, cancellation) =>
        {
            if (!Uri.TryCreate(parsed.GetValue(Url), UriKind.Absolute, out var url))
            {
                Console.Error.WriteLine($"webhooks: --url '{parsed.GetValue(Url)}' is not an absolute URL.");
                return ExitCodes.Usage;
            }
            using var api = new IngestApi(url, parsed.GetValue(Key));
            try
            {
                return await body(new Session(api, new Printer(parsed.GetValue(Json)), parsed, cancellation));
            }
            catch (CliFailure failure)
            {
                Console.Error.WriteLine($"webhooks: {failure.Message}");
                return failure.ExitCode;
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
