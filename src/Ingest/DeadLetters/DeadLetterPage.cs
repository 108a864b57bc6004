namespace Webhooks.Ingest.DeadLetters;

public sealed record DeadLetterPage(IReadOnlyList<DeadLetterView> Data, int Offset, int Limit);
