namespace Webhooks.Ingest.DeadLetters;

/// <summary>What a redrive did; <c>nextAfter</c> (null when it reached the end) goes in <c>after</c> to go on.</summary>
public sealed record RedriveResult(int Redriven, int NotRedrivable, string? NextAfter);
