namespace Webhooks.Core.DeadLetters;

/// <summary>Which dead letters: every given field must match.</summary>
public sealed record DeadLetterFilter(string? EndpointId = null, string? Tenant = null, string? Reason = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null)
{
    public bool Matches(DeadLetter d) =>
        (EndpointId is null || d.EndpointId == EndpointId)
        && (Tenant is null || d.Tenant == Tenant)
        && (Reason is null || d.Reason == Reason)
        && (Since is null || d.DeadLetteredAt >= Since)
        && (Until is null || d.DeadLetteredAt < Until);
}
