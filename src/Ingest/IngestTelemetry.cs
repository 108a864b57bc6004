using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Webhooks.Ingest;

/// <summary>Ingest's own traces and metrics: its ActivitySource, its Meter and every instrument on it.</summary>
public static class IngestTelemetry
{
    public const string SourceName = "Webhooks.Ingest";

    public static readonly ActivitySource Activities = new(SourceName);

    private static readonly Meter Meter = new(SourceName);

    public static readonly Counter<long> EventsAccepted = Meter.CreateCounter<long>("webhooks.ingest.events.accepted", description: "Events the broker confirmed, by fan-out lane (fast, bulk).");

    public static readonly Counter<long> Refused = Meter.CreateCounter<long>("webhooks.ingest.requests.refused",
        description: "Publish requests (single or batch) refused, by reason: invalid, too_large, over_quota, unauthorized, forbidden, idempotency_conflict, schema_violation, unavailable (503).");

    public static readonly Counter<long> SchemaViolations = Meter.CreateCounter<long>("webhooks.ingest.schema_violations",
        description: "Events whose data did not conform to their type's schema in the catalog, by type and outcome: accepted (warn, marked on the event) or refused (enforce, 422).");

    /// <summary>The key of <c>HttpContext.Items</c> under which an endpoint names its refusal's reason when the status alone does not say it.</summary>
    public const string RefusalItem = "webhooks.refusal";

    public static readonly Counter<long> Replayed = Meter.CreateCounter<long>("webhooks.ingest.events.replayed", description: "Keyed requests answered again from their Idempotency-Key, without a new event.");

    public static readonly Histogram<double> PublishDuration = Meter.CreateHistogram("webhooks.ingest.publish.duration", unit: "s", description: "From publishing an event to the broker's confirm.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    // Tenants refused for a quota lately: a count, not a label (a tenant is never a metric label).
    private static readonly Core.RecentlyUsed<string, bool> TenantsOverQuota = new(10_000, TimeSpan.FromMinutes(5));

    private static readonly ObservableGauge<int> TenantsOverQuotaGauge = Meter.CreateObservableGauge("webhooks.tenants.over_quota", () => TenantsOverQuota.Entries().Count(),
        description: "Tenants refused for a quota in the last 5 minutes (the refusals log names them).");

    /// <summary>Notes a tenant refused for a quota, for <c>webhooks.tenants.over_quota</c>.</summary>
    public static void NoteOverQuota(string tenant) => TenantsOverQuota.Set(tenant, true);

    /// <summary>The reason a refused publish request is counted under, from its status; null for a status that is not a refusal.</summary>
    public static string? RefusalReason(int status) => status switch
    {
        400 => "invalid",
        401 => "unauthorized",
        403 => "forbidden",
        413 => "too_large",
        422 => "idempotency_conflict",
        429 => "over_quota",
        503 => "unavailable",
        _ => null,
    };

    /// <summary>Every counter at zero for each of its known labels, so that a panel or an alert can tell "none" from "no data".</summary>
    public static void StartAtZero()
    {
        foreach (var lane in new[] { "fast", "bulk" })
        {
            EventsAccepted.Add(0, Tag("lane", lane));
        }
        foreach (var status in new[] { 400, 401, 403, 413, 422, 429, 503 })
        {
            Refused.Add(0, Tag("reason", RefusalReason(status)));
        }
        Refused.Add(0, Tag("reason", SchemaViolationReason));
        Replayed.Add(0);
    }

    public const string SchemaViolationReason = "schema_violation";

    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
