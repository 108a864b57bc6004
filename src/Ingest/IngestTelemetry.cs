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

    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
