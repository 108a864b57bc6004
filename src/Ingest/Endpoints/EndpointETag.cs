using Microsoft.AspNetCore.Http.HttpResults;
using Webhooks.Core.Endpoints;

namespace Webhooks.Ingest.Endpoints;

/// <summary>
/// An endpoint's <c>ETag</c> is its version; a write that sends <c>If-Match</c> happens only while
/// the endpoint still has that version, else it is answered <c>412</c> and changes nothing.
/// </summary>
internal static class EndpointETag
{
    public static string Of(WebhookEndpoint endpoint) => $"\"{endpoint.Version}\"";

    /// <summary>Sets the endpoint's ETag on the answer, and passes the endpoint on.</summary>
    public static WebhookEndpoint Tag(this HttpResponse response, WebhookEndpoint endpoint)
    {
        response.Headers.ETag = Of(endpoint);
        return endpoint;
    }

    /// <summary>
    /// The condition the request's <c>If-Match</c> sets, or null when it has none: <c>*</c> matches any
    /// endpoint, otherwise one of the listed tags must be the endpoint's (strong comparison: a weak tag never matches).
    /// </summary>
    public static Func<WebhookEndpoint, bool>? IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return null;
        }
        var tags = header.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        return tags.Contains("*") ? _ => true : endpoint => tags.Contains(Of(endpoint));
    }

    public static ProblemHttpResult Stale(WebhookEndpoint current) =>
        TypedResults.Problem($"Endpoint '{current.Id}' has changed since the version in If-Match; it is now at ETag {Of(current)}. Read it again and repeat the change.",
            statusCode: StatusCodes.Status412PreconditionFailed, title: "The endpoint has changed");
}
