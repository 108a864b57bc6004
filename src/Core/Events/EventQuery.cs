using Webhooks.Core.Storage;

namespace Webhooks.Core.Events;

/// <summary>Which of a tenant's events: every given field must match (<see cref="EventStatus"/> for the status).</summary>
public sealed record EventQuery(string Tenant, string? Type = null, string? Status = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null);

/// <summary>An event as a list shows it: no data, and where its deliveries stand.</summary>
public sealed record EventSummary(string Id, string Type, string Tenant, DateTimeOffset ReceivedAt, string Status);

/// <summary>A page of events, and where the next one starts (null: there is none).</summary>
public sealed record EventPage(IReadOnlyList<EventSummary> Found, IndexPosition? Next);

/// <summary>Where an event stands, taken from its deliveries.</summary>
public static class EventStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failing = "failing";
    public const string DeadLettered = "dead_lettered";
    public const string NoEndpoints = "no_endpoints";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Pending, Delivered, Failing, DeadLettered, NoEndpoints };
}
