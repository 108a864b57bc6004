namespace Webhooks.Ingest.Events;

public sealed record EventAccepted(string Id);
