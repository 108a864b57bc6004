using System.Diagnostics;

namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary>What a run of the real <c>webhooks</c> binary printed and exited with.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Runs <c>webhooks</c> (the build next to the tests) against <paramref name="system"/>'s Ingest, with its admin key unless given another, stdin closed.</summary>
    public static async Task<CliRun> RunAsync(WebhooksSystem system, string[] args, string? key = null, string? url = null)
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
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await output, await error);
    }

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Out).RootElement;
}
