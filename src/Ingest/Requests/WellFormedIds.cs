using System.Text.RegularExpressions;

namespace Webhooks.Ingest.Requests;

/// <summary>
/// A route's <c>{id}</c> that cannot be one of ours answers 404 at once: ids become parts of Redis
/// keys, and <c>evt_x:deliveries</c> would name another key of another type.
/// </summary>
internal static partial class WellFormedIds
{
    /// <summary>Our ids: a short prefix, an underscore, then letters, digits, '_' or '-' (as bus publishers may choose event ids).</summary>
    [GeneratedRegex(@"^[a-z]{1,8}_[A-Za-z0-9_-]{1,60}\z")]
    private static partial Regex Pattern();

    public static RouteGroupBuilder RequireWellFormedIds(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("id") is string id && !Pattern().IsMatch(id)
                ? TypedResults.Problem($"No resource '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found")
                : await next(context));
        return group;
    }
}
