namespace Webhooks.Ingest.Jobs;

/// <summary>
/// A bulk operation over more than one page — redrive, purge, recover or replay — run in the
/// background by whichever Ingest holds its lease, page after page from its saved position, so that
/// it goes on where it stopped after a restart.
/// </summary>
public sealed record Job
{
    public required string Id { get; init; }
    public required string Kind { get; init; }

    /// <summary>The tenant it is limited to (a tenant-bound key's jobs always are); null: every tenant.</summary>
    public string? Tenant { get; init; }
    public string? EndpointId { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public string Status { get; init; } = JobStatus.Queued;

    /// <summary>Where the next page starts (a cursor); null before the first.</summary>
    public string? After { get; init; }
    public int Pages { get; init; }
    public IReadOnlyDictionary<string, long> Counts { get; init; } = new Dictionary<string, long>();
    public string? Error { get; init; }
    public required string Actor { get; init; }

    /// <summary>The role of the key that created it, for the audit entry of what it did.</summary>
    public string? ActorRole { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

public static class JobKind
{
    public const string Redrive = "redrive";
    public const string Purge = "purge";
    public const string Recover = "recover";
    public const string Replay = "replay";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Redrive, Purge, Recover, Replay };

    /// <summary>The audit action of what a job of <paramref name="kind"/> did: the same as the API's own for one page.</summary>
    public static string AuditAction(string kind) => kind switch
    {
        Redrive => "dead_letters.redriven",
        Purge => "dead_letters.purged",
        Recover => "deliveries.recovered",
        _ => "deliveries.replayed",
    };
}

public static class JobStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";
}
