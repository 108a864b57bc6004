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

    public static bool IsWellFormed(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>Checks the route's <c>{id}</c> and <c>{endpointId}</c>.</summary>
    public static TBuilder RequireWellFormedIds<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
            new[] { "id", "endpointId" }.Select(name => context.HttpContext.GetRouteValue(name) as string).FirstOrDefault(id => id is not null && !Pattern().IsMatch(id)) is { } bad
                ? TypedResults.Problem($"No resource '{bad}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found")
                : await next(context));
        return builder;
    }
}
