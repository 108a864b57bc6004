using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Storage;

namespace Webhooks.Core.Events;

/// <summary>
/// What the API lists of a tenant's events, and where each stands: the event index (<see cref="EventStore"/>)
/// read with each event's deliveries (<see cref="DeliveryStore"/>) and fan-out (<see cref="FanOutClaims"/>). A page
/// looks at no more than <see cref="EventStore.MaxScannedPerPage"/> entries and may be short (even empty) with a next.
/// </summary>
public sealed class TenantEvents(EventStore events, DeliveryStore deliveries, FanOutClaims fanOuts)
{
    /// <summary>A page of the tenant's events, newest first, that match <paramref name="query"/>, after <paramref name="after"/>.</summary>
    public async Task<EventPage> ListAsync(EventQuery query, IndexPosition? after, int limit)
    {
        var until = query.Until is { } u ? u.ToUnixTimeMilliseconds() : double.PositiveInfinity;
        var since = query.Since is { } s ? s.ToUnixTimeMilliseconds() : double.NegativeInfinity;
        var walk = events.Walk(query.Tenant, since, until, after, 200);
        var found = new List<EventSummary>(limit);
        var scanned = 0;
        while (await walk.NextPageAsync(200) is { Count: > 0 } entries)
        {
            var candidates = entries.Select(e => (Entry: e, Parts: ((string)e.Element!).Split('|', 2))).ToList();
            var statuses = await Task.WhenAll(candidates.Select(async c => query.Type is not null && !EventTypeFilter.Matches(query.Type, c.Parts[1]) ? null : await StatusAsync(c.Parts[0])));
            foreach (var ((entry, parts), status) in candidates.Zip(statuses))
            {
                scanned++;
                if (status is not null && (query.Status is null || status == query.Status))
                {
                    found.Add(new EventSummary(parts[0], parts[1], query.Tenant, DateTimeOffset.FromUnixTimeMilliseconds((long)entry.Score), status));
                }
                if (found.Count == limit || scanned >= EventStore.MaxScannedPerPage)
                {
                    return new EventPage(found, new IndexPosition(entry.Score, entry.Element!));
                }
            }
        }
        return new EventPage(found, null);
    }

    /// <summary>
    /// The tenant's events in the window, newest first, of a type <paramref name="subscribes"/> takes, that
    /// the endpoint never got: no delivery to it at all (it was created, or subscribed, after them), or one
    /// whose dead letter was purged; at most <see cref="EventStore.MaxScannedPerPage"/> looked at, and where to go on (null at the end).
    /// </summary>
    public async Task<(IReadOnlyList<string> EventIds, IndexPosition? Next)> NeverDeliveredAsync(string tenant, string endpointId, Func<string, bool> subscribes,
        DateTimeOffset since, DateTimeOffset? until, IndexPosition? after)
    {
        var walk = events.Walk(tenant, since.ToUnixTimeMilliseconds(), until?.ToUnixTimeMilliseconds() ?? double.PositiveInfinity, after, 500);
        var missing = new List<string>();
        var scanned = 0;
        while (await walk.NextPageAsync(500) is { Count: > 0 } entries)
        {
            var candidates = entries.Select(e => ((string)e.Element!).Split('|', 2)).Where(parts => subscribes(parts[1])).Select(parts => parts[0]).ToList();
            // No delivery at all, or one whose dead letter was purged: the endpoint never got it and nothing holds it.
            var records = await Task.WhenAll(candidates.Select(id => deliveries.GetAsync(id, endpointId)));
            missing.AddRange(candidates.Zip(records).Where(c => c.Second is null or { Status: DeliveryStatus.DeadLettered, Purged: true }).Select(c => c.First));
            scanned += entries.Count;
            if (scanned >= EventStore.MaxScannedPerPage)
            {
                return (missing, new IndexPosition(entries[^1].Score, entries[^1].Element!));
            }
        }
        return (missing, null);
    }

    /// <summary>
    /// Where an event stands, from its deliveries: <c>dead_lettered</c> when one is, else <c>failing</c>
    /// when one is being retried, else <c>pending</c> while one (or the fan-out) is, else <c>delivered</c>;
    /// <c>no_endpoints</c> when it was fanned out to none.
    /// </summary>
    public async Task<string> StatusAsync(string eventId)
    {
        var all = deliveries.AllAsync(eventId);
        var fannedOut = fanOuts.IsDoneAsync(eventId);
        var statuses = (await all).Select(d => d.Status).ToHashSet();
        return statuses.Contains(DeliveryStatus.DeadLettered) ? EventStatus.DeadLettered
            : statuses.Contains(DeliveryStatus.Failed) ? EventStatus.Failing
            : statuses.Contains(DeliveryStatus.Pending) || !await fannedOut ? EventStatus.Pending
            : statuses.Count == 0 ? EventStatus.NoEndpoints
            : EventStatus.Delivered;
    }
}
