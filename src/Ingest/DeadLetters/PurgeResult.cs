namespace Webhooks.Ingest.DeadLetters;

/// <summary>What a purge did; <c>nextAfter</c> (null when it reached the end) goes in <c>after</c> to go on.</summary>
public sealed record PurgeResult(int Purged, string? NextAfter);
