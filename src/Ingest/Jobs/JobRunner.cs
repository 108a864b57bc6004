using Webhooks.Core.DeadLetters;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Deliveries;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Jobs;

/// <summary>
/// Runs the jobs, in every Ingest: each job is run by whichever process holds its lease, a page at a
/// time, its position and counts saved after each page. A process that stops (or dies) leaves its
/// lease to expire, and another — or itself, restarted — goes on from the last saved page; the page in
/// flight then runs again, which acts on nothing twice (see <see cref="BulkDeliveries"/>).
/// </summary>
public sealed partial class JobRunner(JobStore jobs, BulkDeliveries bulk, EndpointRegistry registry, AuditLog audit, TimeProvider clock, ILogger<JobRunner> logger) : BackgroundService
{
    public static readonly TimeSpan LeaseLength = TimeSpan.FromSeconds(30);
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Looks for work now rather than at the next tick (a job was just created).</summary>
    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var id in await jobs.ActiveAsync())
                {
                    if (await jobs.GetAsync(id) is not { Status: JobStatus.Queued or JobStatus.Running })
                    {
                        // Finished (or gone) without leaving the active set: a save interrupted between its two writes.
                        await jobs.Forget(id);
                        continue;
                    }
                    if (await jobs.LeaseAsync(id, _owner, LeaseLength))
                    {
                        try
                        {
                            await RunAsync(id, stoppingToken);
                        }
                        finally
                        {
                            await jobs.ReleaseAsync(id);
                        }
                    }
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Redis or the broker away: the jobs stay where they were saved and go on later.
                LogPaused(e.Message);
            }
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RunAsync(string id, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && await jobs.GetAsync(id) is { Status: JobStatus.Queued or JobStatus.Running } job)
        {
            var (position, _) = Paging.ReadPosition(job.After);
            Job next;
            try
            {
                next = await StepAsync(job, position, stoppingToken);
            }
            catch (JobRefusedException refused)
            {
                next = job with { Status = JobStatus.Failed, Error = refused.Message };
            }
            await jobs.SaveAsync(next with { Pages = job.Pages + 1, UpdatedAt = clock.GetUtcNow() });
            if (next.Status is JobStatus.Done or JobStatus.Failed)
            {
                // What it did, under its tenant and the action it performed (its creation was audited as job.created).
                await audit.RecordAsync(job.Actor, job.ActorRole ?? "admin", JobKind.AuditAction(job.Kind), job.Tenant, job.EndpointId ?? "(filter)",
                    new { jobId = job.Id, job.EndpointId, job.Reason, job.Since, job.Until, next.Status, next.Counts, next.Error });
            }
            if (next.Status == JobStatus.Done)
            {
                LogDone(job.Id, job.Kind, string.Join(", ", next.Counts.Select(c => $"{c.Key} {c.Value}")));
            }
            if (!await jobs.LeaseAsync(id, _owner, LeaseLength))
            {
                return; // lost it (a pause longer than the lease): whoever holds it goes on
            }
        }
    }

    /// <summary>One page of the job: its counts added, its position moved, done when there is no next page.</summary>
    private async Task<Job> StepAsync(Job job, IndexPosition? position, CancellationToken cancellationToken)
    {
        var filter = new DeadLetterFilter(job.EndpointId, job.Tenant, job.Reason, job.Since, job.Until);
        (string Name, long Count)[] counts;
        IndexPosition? next;
        switch (job.Kind)
        {
            case JobKind.Redrive:
                var redrive = await bulk.RedriveAsync(filter, position, cancellationToken);
                (counts, next) = ([("redriven", redrive.Redriven), ("notRedrivable", redrive.NotRedrivable)], redrive.Next);
                break;
            case JobKind.Purge:
                var purge = await bulk.PurgeAsync(filter, position);
                (counts, next) = ([("purged", purge.Purged)], purge.Next);
                break;
            case JobKind.Replay:
                var replay = await bulk.ReplayAsync(await EndpointAsync(job), job.Since!.Value, job.Until, position, cancellationToken);
                (counts, next) = ([("replayed", replay.Replayed), ("redriven", replay.Redriven)], replay.Next);
                break;
            case JobKind.Recover:
                var recover = await bulk.RecoverAsync(await EndpointAsync(job), job.Since!.Value, job.Until, position, cancellationToken);
                (counts, next) = ([("redriven", recover.Redriven), ("resent", recover.Resent)], recover.Next);
                break;
            default:
                throw new JobRefusedException($"No job kind '{job.Kind}'.");
        }
        var totals = new Dictionary<string, long>(job.Counts);
        foreach (var (name, count) in counts)
        {
            totals[name] = totals.GetValueOrDefault(name) + count;
        }
        return job with { Status = next is null ? JobStatus.Done : JobStatus.Running, After = Paging.Cursor(next), Counts = totals };
    }

    private async Task<WebhookEndpoint> EndpointAsync(Job job) =>
        await registry.GetAsync(job.EndpointId!) is { Enabled: true } endpoint ? endpoint
            : throw new JobRefusedException($"Endpoint '{job.EndpointId}' was deleted or disabled while the job ran.");

    private sealed class JobRefusedException(string message) : Exception(message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({Kind}) done: {Counts}")]
    private partial void LogDone(string jobId, string kind, string counts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs paused ({Reason}); they go on from where they were saved")]
    private partial void LogPaused(string reason);
}
