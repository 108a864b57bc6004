using System.Diagnostics;

namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary>What a run of the real <c>webhooks</c> binary printed and exited with.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Runs <c>webhooks</c> (the build next to the tests) against <paramref name="system"/>'s Ingest, with its admin key unless given another, stdin closed;
    /// <paramref name="printed"/> completes once a line of stdout or stderr holds <paramref name="errorLine"/> (to act while it runs).</summary>
    public static async Task<CliRun> RunAsync(WebhooksSystem system, string[] args, string? key = null, string? url = null, string? errorLine = null, TaskCompletionSource? printed = null)
    {
        var start = new ProcessStartInfo("dotnet", ["Webhooks.Cli.dll", .. args])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["WEBHOOKS_URL"] = url ?? system.Ingest.BaseAddress!.ToString();
        start.Environment["WEBHOOKS_API_KEY"] = key ?? system.AdminKey;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = ReadLinesAsync(process.StandardOutput, errorLine, printed);
        var error = ReadLinesAsync(process.StandardError, errorLine, printed);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var (printedOut, printedError) = (await output, await error);
        printed?.TrySetException(new InvalidOperationException($"webhooks ended without printing \"{errorLine}\": {printedOut}{printedError}"));
        return new CliRun(process.ExitCode, printedOut, printedError);
    }

    private static async Task<string> ReadLinesAsync(StreamReader errors, string? watched, TaskCompletionSource? printed)
    {
        var all = new System.Text.StringBuilder();
        while (await errors.ReadLineAsync() is { } line)
        {
            all.AppendLine(line);
            if (watched is not null && line.Contains(watched, StringComparison.Ordinal))
            {
                printed?.TrySetResult();
            }
        }
        return all.ToString();
    }

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Out).RootElement;

    /// <summary>What <c>--json</c> printed, read as the API's own view of it (the CLI prints the API's answers).</summary>
    public T As<T>() => System.Text.Json.JsonSerializer.Deserialize<T>(Out, System.Text.Json.JsonSerializerOptions.Web)!;
}
