namespace Webhooks.Ingest.DeadLetters;

public sealed record RedriveResult(int Redriven, int NotRedrivable);
