using System.Globalization;
using Microsoft.Extensions.Options;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Requests;
using Webhooks.Signing;

namespace Webhooks.Ingest.Events;

/// <summary>
/// <c>GET /v1/events/{id}/data?endpoint=…&amp;expires=…&amp;signature=…</c>: a thin delivery's link
/// to its event's data (<see cref="DataLink"/>). No API key: the signature, made with the endpoint's
/// signing secret, is the credential. Every refusal says only what the caller could know already, so
/// none tells whether the event exists: the event is looked at only once the link is proven genuine.
/// </summary>
public static class EventDataApi
{
    public static IEndpointRouteBuilder MapEventDataApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/events/{id}/data", Fetch).WithTags("Events").AllowAnonymous().RequireWellFormedIds();
        return routes;
    }

    private static async Task<IResult> Fetch(string id, HttpRequest request, HttpResponse response, EndpointRegistry registry, EventStore store, DeliveryStore deliveries, EndpointStats stats,
        DataLinkLimits limits, IOptions<DataLinkOptions> options, IOptions<StorageOptions> storage)
    {
        var query = request.Query;
        if (!WellFormedIds.IsWellFormed(query["endpoint"]) || !long.TryParse(query["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || query["signature"].ToString() is not { Length: > 0 and <= 100 } signature)
        {
            return Refused(StatusCodes.Status400BadRequest, "Malformed data link", "A data link has an endpoint, an expiry and a signature: use it as the delivery gave it.");
        }
        var endpointId = query["endpoint"].ToString();
        var now = DateTimeOffset.UtcNow;
        var client = $"{request.HttpContext.Connection.RemoteIpAddress}";
        // Failed checks are throttled by client and by endpoint before anything is looked up or computed.
        if (await limits.FailuresBackOffAsync(client, endpointId) is var backOff && backOff > TimeSpan.Zero)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(backOff.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Refused(StatusCodes.Status429TooManyRequests, "Too many invalid data links", "Too many links that did not verify came from this client, or named this endpoint: wait, and use links as deliveries gave them.");
        }
        // An endpoint that is gone cannot prove the link: the same answer as a wrong signature. So is an expiry no
        // genuine link carries (beyond the links' lifetime and the event's retention): the signature proves it only
        // if the secret never leaked, and a leaked one must not buy a link for ever.
        if (DateTimeOffset.FromUnixTimeSeconds(Math.Min(expires, DateTimeOffset.MaxValue.ToUnixTimeSeconds())) > now + options.Value.LongestValidity(storage.Value.EventRetention)
            || await registry.GetAsync(endpointId) is not { } endpoint || !DataLink.Verify(endpoint.SigningSecrets(now), id, endpointId, expires, signature))
        {
            await limits.CountFailureAsync(client, endpointId);
            return Refused(StatusCodes.Status401Unauthorized, "Invalid data link", "The link's signature does not match it: it was changed, or made with a secret the endpoint no longer has.");
        }
        if (DateTimeOffset.FromUnixTimeSeconds(Math.Min(expires, DateTimeOffset.MaxValue.ToUnixTimeSeconds())) < now)
        {
            return Refused(StatusCodes.Status410Gone, "Data link expired", "The link has expired; the delivery's event may still be listed through the API.");
        }
        if (!endpoint.Enabled)
        {
            return Refused(StatusCodes.Status403Forbidden, "Endpoint disabled", $"Endpoint '{endpointId}' is disabled: its links fetch nothing until it is enabled.");
        }
        var wait = await limits.TakeFetchAsync(endpointId);
        if (wait > TimeSpan.Zero)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Refused(StatusCodes.Status429TooManyRequests, "Too many fetches", $"Endpoint '{endpointId}' fetches data faster than {options.Value.FetchesPerSecond}/s allows.");
        }
        // Only the endpoint's own deliveries: a secret holder who signs a link for another event gets nothing.
        if (await store.GetAsync(id) is not { Data: { } data } stored || stored.Tenant != endpoint.Tenant || await deliveries.GetAsync(id, endpointId) is null)
        {
            return Refused(StatusCodes.Status404NotFound, "No data", "There is no data for this event at this endpoint (it has expired, or was never delivered here).");
        }
        await stats.CountDataFetchAsync(endpointId, now);
        response.Headers.CacheControl = "no-store";
        return TypedResults.Text(data.GetRawText(), "application/json");
    }

    private static IResult Refused(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);
}
