using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Webhooks.Core.Destinations;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;

namespace Webhooks.Ingest.Endpoints;

/// <summary>The body of <c>POST /v1/endpoints</c> (all required fields) and <c>PATCH</c> (only the fields to change).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed partial record EndpointRequest(
    string? Tenant,
    string? Url,
    IReadOnlyList<string>? EventTypes,
    string? Description,
    IReadOnlyDictionary<string, string>? Headers,
    RateLimit? RateLimit,
    int? MaxInFlight,
    int? TimeoutSeconds,
    string? Payload,
    JsonElement? Filter = null)
{
    /// <summary>The slowest rate limit: one request in about 17 minutes.</summary>
    public const double MinPerSecond = Webhooks.Core.Storage.GcraScript.MinPerSecond;

    public const int MaxUrlLength = 2048;
    public const int MaxEventTypes = 100;
    public const int MaxHeaders = 20;
    public const int MaxHeaderNameLength = 100;
    public const int MaxDescriptionLength = 1000;

    // Headers the platform sets itself (or HTTP owns): an endpoint may not override them.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "content-type", "content-encoding", "transfer-encoding", "connection", "keep-alive",
        "upgrade", "te", "trailer", "expect", "proxy-authorization", "user-agent", "traceparent", "tracestate", "baggage",
    };

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]+\\z")]
    private static partial Regex HeaderName();

    /// <summary>Whether a request can carry the header as given: HttpClient refuses content headers among a request's own, and would drop them unsent.</summary>
    private static bool SentAsRequestHeader(string name)
    {
        using var probe = new HttpRequestMessage();
        return probe.Headers.TryAddWithoutValidation(name, "x");
    }

    /// <summary>What is wrong with the request for an endpoint of <paramref name="tenant"/> (the one it names when creating).</summary>
    public Dictionary<string, string[]> Check(bool creating, DestinationGuard guard, string? tenant)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string? message)
        {
            if (message is not null)
            {
                errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
            }
        }

        if (creating)
        {
            Add("tenant", EventRules.CheckTenant(Tenant));
            Add("url", Url is null ? "The url is required." : null);
            Add("eventTypes", EventTypes is null ? "The eventTypes filter is required: event type names, wildcards such as 'order.*', or '*'." : null);
        }
        else if (Tenant is not null)
        {
            Add("tenant", "An endpoint's tenant cannot change; create a new endpoint instead.");
        }
        if (Url is not null)
        {
            var urlError = EventRules.CheckHttpUrl(Url, MaxUrlLength);
            Add("url", urlError ?? (tenant is null || EventRules.CheckTenant(tenant) is not null ? null : guard.Refusal(new Uri(Url), tenant)));
        }
        if (EventTypes is not null)
        {
            Add("eventTypes", EventTypes.Count == 0 ? "The eventTypes filter is empty: list at least one type, or '*' for every type."
                : EventTypes.Count > MaxEventTypes ? $"At most {MaxEventTypes} event types." : null);
            foreach (var pattern in EventTypes.Where(p => p is null || !EventTypeFilter.IsValidPattern(p)))
            {
                Add("eventTypes", $"'{pattern}' is not an event type or wildcard (such as 'order.created', 'order.*' or '*').");
            }
        }
        Add("description", Description?.Length > MaxDescriptionLength ? $"The description is longer than {MaxDescriptionLength} characters." : null);
        if (Headers is not null)
        {
            Add("headers", Headers.Count > MaxHeaders ? $"At most {MaxHeaders} custom headers." : null);
            foreach (var (name, value) in Headers)
            {
                Add("headers", name.Length > MaxHeaderNameLength ? $"A header name is at most {MaxHeaderNameLength} characters."
                    : !HeaderName().IsMatch(name) ? $"'{name}' is not a valid header name."
                    : ReservedHeaders.Contains(name) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase) ? $"The header '{name}' is set by the platform and cannot be overridden."
                    : !SentAsRequestHeader(name) ? $"The header '{name}' describes a body (Content-*, Expires, Allow, …), not a request: it would never be sent."
                    // HttpClient sends visible ASCII and spaces only: anything else failed every delivery instead of the registration.
                    : value is null || value.Length > 1000 || value.Any(c => c is not ('\t' or (>= ' ' and <= '~'))) ? $"The value of header '{name}' must be at most 1000 printable ASCII characters."
                    : null);
            }
        }
        if (RateLimit is not null)
        {
            // Below one request in about 17 minutes the limiter's arithmetic loses its meaning (1e-300 overflowed it).
            Add("rateLimit", RateLimit.PerSecond is < MinPerSecond or > 10_000 or double.NaN ? $"rateLimit.perSecond must be at least {MinPerSecond} and at most 10000." : null);
            Add("rateLimit", RateLimit.Burst is < 1 or > 10_000 ? "rateLimit.burst must be between 1 and 10000." : null);
        }
        Add("maxInFlight", MaxInFlight is < 1 or > 1000 ? "maxInFlight must be between 1 and 1000." : null);
        Add("timeoutSeconds", TimeoutSeconds is < 1 or > 60 ? "timeoutSeconds must be between 1 and 60." : null);
        Add("payload", Payload is not null && !PayloadMode.IsValid(Payload) ? "payload must be 'full' or 'thin'." : null);
        if (Filter is { } filter)
        {
            PayloadFilter.Compile(filter, out var filterErrors);
            filterErrors.ForEach(e => Add("filter", e));
        }
        return errors;
    }

    public WebhookEndpoint ApplyTo(WebhookEndpoint endpoint, DateTimeOffset now) => endpoint with
    {
        Url = Url ?? endpoint.Url,
        EventTypes = EventTypes ?? endpoint.EventTypes,
        Description = Description ?? endpoint.Description,
        // A header sent back as the API showed it (hidden) keeps the value it has.
        Headers = Headers?.ToDictionary(h => h.Key, h => h.Value == EndpointView.HiddenValue && endpoint.Headers.TryGetValue(h.Key, out var kept) ? kept : h.Value) ?? endpoint.Headers,
        RateLimit = RateLimit ?? endpoint.RateLimit,
        MaxInFlight = MaxInFlight ?? endpoint.MaxInFlight,
        TimeoutSeconds = TimeoutSeconds ?? endpoint.TimeoutSeconds,
        Payload = Payload ?? endpoint.Payload,
        // {} removes the filter.
        // Checked before (Check): here only whether it is {} (no filter) is left to see.
        Filter = Filter is { } filter ? (PayloadFilter.IsNone(filter) ? null : filter.Clone()) : endpoint.Filter,
        UpdatedAt = now,
    };
}
