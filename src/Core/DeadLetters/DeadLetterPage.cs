namespace Webhooks.Core.DeadLetters;

/// <summary>A page of dead letters, and where the next one starts (null: there is none).</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Found, DeadLetterPosition? Next);

/// <summary>A place in a dead-letter index: the score (when it was dead-lettered, ms) and id of the last entry looked at.</summary>
public sealed record DeadLetterPosition(double Score, string Id);
