using System.Text.RegularExpressions;

namespace Webhooks.Core.Endpoints;

/// <summary>
/// An endpoint's event-type filter: exact names (<c>order.created</c>), a prefix wildcard that
/// matches every type below it (<c>order.*</c> matches <c>order.created</c> and
/// <c>order.line.added</c>, not <c>order</c>), or <c>*</c> for every type of the tenant's own — the
/// platform's operational events (<c>webhooks.*</c>) only when asked for by name or prefix.
/// </summary>
public static partial class EventTypeFilter
{
    [GeneratedRegex("^(\\*|[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*(\\.\\*)?)\\z")]
    private static partial Regex PatternShape();

    public static bool IsValidPattern(string pattern) => pattern.Length <= 128 && PatternShape().IsMatch(pattern);

    /// <summary>Whether the pattern stands for many types (<c>*</c>, <c>order.*</c>) rather than naming one.</summary>
    public static bool IsWildcard(string pattern) => pattern == "*" || pattern.EndsWith(".*", StringComparison.Ordinal);

    public static bool Matches(IEnumerable<string> patterns, string eventType) => patterns.Any(p => Matches(p, eventType));

    public static bool Matches(string pattern, string eventType) =>
        (pattern == "*" && !Operational.OperationalEvents.IsOperational(eventType))
        || pattern == eventType
        || (pattern.EndsWith(".*", StringComparison.Ordinal)
            && eventType.Length > pattern.Length - 1
            && eventType.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal));
}
