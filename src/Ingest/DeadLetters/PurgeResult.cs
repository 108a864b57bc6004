namespace Webhooks.Ingest.DeadLetters;

public sealed record PurgeResult(int Purged);
