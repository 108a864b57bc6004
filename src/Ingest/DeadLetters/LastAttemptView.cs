namespace Webhooks.Ingest.DeadLetters;

/// <summary>The last attempt before a delivery was dead-lettered.</summary>
public sealed record LastAttemptView(int Number, DateTimeOffset At, int? StatusCode, string? Error, string? ErrorDetail, double DurationMs, string? TraceId = null);
