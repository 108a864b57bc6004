using System.CommandLine;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.Jobs;

/// <summary><c>webhooks jobs …</c>: the bulk operations (redrive, purge, recover, replay) running or done — list, show, follow.</summary>
public static class JobsCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "the job's id (job_…)" };
        var tenant = new Option<string?>("--tenant") { Description = "of this tenant" };
        var limit = new Option<int>("--limit") { Description = "list at most this many", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "jobs, newest first, with their progress").With(tenant, limit).Runs(async s =>
        {
            var jobs = await s.Api.ListAsync($"/v1/jobs?{Query(("tenant", s.Get(tenant)))}", s.Get(limit), s.Cancellation);
            s.Out.Show(jobs, () => s.Out.Table(["id", "kind", "status", "tenant", "endpoint", "pages", "counts", "created", "by"],
                jobs.Select(j => new[] { j.Text("id"), j.Text("kind"), j.Text("status"), j.Text("tenant") ?? "(all)", j.Text("endpointId"), j.Text("pages"), JobProgress.Counts(j), j.Time("createdAt"), j.Text("actor") }), "No jobs."));
            return 0;
        });
        var show = new Command("show", "one job: what it does, how far it is, how it ended").With(id).Runs(async s =>
        {
            var job = await s.Api.GetAsync($"/v1/jobs/{Uri.EscapeDataString(s.Get(id)!)}", s.Cancellation);
            s.Out.Show(job, () => Describe(s.Out, job));
            return 0;
        });
        var follow = new Command("follow", "follow a job to its end, with its progress").With(id).Runs(s => JobProgress.FollowAsync(s, s.Get(id)!));
        return new Command("jobs", "bulk operations run in the background: redrive, purge, recover, replay").With(list, show, follow);
    }

    private static void Describe(Printer output, System.Text.Json.JsonElement job) => output.Fields(
        ("id", job.Text("id")), ("kind", job.Text("kind")), ("status", job.Text("status")), ("tenant", job.Text("tenant") ?? "(all)"), ("endpoint", job.Text("endpointId")),
        ("reason", job.Text("reason")), ("since", job.Time("since")), ("until", job.Time("until")), ("pages", job.Text("pages")), ("counts", JobProgress.Counts(job)),
        ("error", job.Text("error")), ("by", job.Text("actor")), ("created", job.Time("createdAt")), ("updated", job.Time("updatedAt")));
}
