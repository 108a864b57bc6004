using System.Text.Json;
using Spectre.Console;
using Webhooks.Cli.Api;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.Jobs;

/// <summary>Starts a job (<c>POST /v1/jobs</c>) and follows it to its end, with its progress on a terminal.</summary>
public static class JobProgress
{
    public static async Task<int> RunAsync(Session s, object request)
    {
        var job = await s.Api.PostAsync("/v1/jobs", request, s.Cancellation);
        return await FollowAsync(s, job.Text("id")!);
    }

    /// <summary>Follows job <paramref name="id"/> until it is done or failed; exits 0 when done.</summary>
    public static async Task<int> FollowAsync(Session s, string id)
    {
        JsonElement job = default;
        async Task<JsonElement> PollAsync(Action<JsonElement>? progress)
        {
            while (true)
            {
                job = await s.Api.GetAsync($"/v1/jobs/{Uri.EscapeDataString(id)}", s.Cancellation);
                progress?.Invoke(job);
                if (job.Text("status") is "done" or "failed")
                {
                    return job;
                }
                await Task.Delay(500, s.Cancellation);
            }
        }
        if (s.Out.Json || Console.IsOutputRedirected)
        {
            job = await PollAsync(null);
        }
        else
        {
            job = await AnsiConsole.Status().StartAsync($"job {id}…", async context => await PollAsync(j => context.Status($"job {id}: {j.Text("status")}, page {j.Text("pages")}, {Counts(j)}")));
        }
        s.Out.Show(job, () => s.Out.Line($"Job {id} {job.Text("status")}: {Counts(job)}{(job.Text("error") is { } error ? $" — {error}" : "")}."));
        return job.Text("status") == "done" ? ExitCodes.Ok : ExitCodes.Refused;
    }

    public static string Counts(JsonElement job) =>
        job.TryGetProperty("counts", out var counts) && counts.ValueKind == JsonValueKind.Object && counts.EnumerateObject().Any()
            ? string.Join(", ", counts.EnumerateObject().Select(c => $"{c.Name} {c.Value}"))
            : "nothing yet";
}
