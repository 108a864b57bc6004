namespace Webhooks.Ingest.Events;

public sealed record EventBatchAccepted(IReadOnlyList<string> Ids);
