using Webhooks.Core.Endpoints;
using Webhooks.Core.EventTypes;

namespace Webhooks.Ingest.EventTypes;

/// <summary>
/// With <c>Webhooks:Catalog:Strict</c>, an endpoint subscribes only to types the catalog has (a wildcard such as
/// <c>order.*</c> or <c>*</c> still allowed), and a filter is tried only on one of them.
/// </summary>
public static class StrictCatalog
{
    /// <summary>The messages for each type that is neither in the catalog nor a wildcard; none when the catalog is not strict.</summary>
    public static async Task<string[]> UnknownAsync(EventTypeCatalog catalog, IEnumerable<string>? types)
    {
        if (!catalog.Options.Strict || types is null)
        {
            return [];
        }
        var known = await catalog.CurrentAsync();
        return [.. types.Where(t => !EventTypeFilter.IsWildcard(t) && !Core.Operational.OperationalEvents.IsOperational(t) && !known.Contains(t))
            .Select(t => $"'{t}' is not in the event-type catalog, and this installation subscribes endpoints only to types it has (GET /v1/event-types), or wildcards.")];
    }
}
