using Webhooks.Core.Storage;

namespace Webhooks.Core.DeadLetters;

/// <summary>A page of dead letters, and where the next one starts (null: there is none).</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Found, IndexPosition? Next);
