namespace Webhooks.Ingest.DeadLetters;

/// <summary>A page of dead letters; <c>nextAfter</c> (null at the end) goes in <c>after</c> for the next one.</summary>
public sealed record DeadLetterList(IReadOnlyList<DeadLetterView> Data, string? NextAfter);
