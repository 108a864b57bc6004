namespace Webhooks.Core.DeadLetters;

/// <summary>Retention of dead letters (section <c>Webhooks:DeadLetters</c>).</summary>
public sealed class DeadLetterOptions
{
    public const string Section = "Webhooks:DeadLetters";

    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
}
