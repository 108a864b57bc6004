using System.Text.Json;
using System.Text.RegularExpressions;

namespace Webhooks.Core.Events;

/// <summary>What makes an event acceptable, for HTTP callers and bus publishers alike.</summary>
public static partial class EventRules
{
    public const int MaxTypeLength = 128;
    public const int MaxTenantLength = 64;
    public const int MaxResourceLength = 2048;

    /// <summary>
    /// The deepest nesting of <c>data</c>: well inside every serialiser on the way (MassTransit's and
    /// System.Text.Json's default of 64 count the message around it too), so that an accepted event
    /// is never one that cannot be published.
    /// </summary>
    public const int MaxDataDepth = 32;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*$")]
    private static partial Regex TypePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex TenantPattern();

    public static string? CheckType(string? type) =>
        string.IsNullOrEmpty(type) ? "The event type is required."
        : type.Length > MaxTypeLength ? $"The event type is longer than {MaxTypeLength} characters."
        : TypePattern().IsMatch(type) ? null
        : $"'{type}' is not an event type: use lowercase dotted names such as 'order.created'.";

    public static string? CheckTenant(string? tenant) =>
        string.IsNullOrEmpty(tenant) ? "The tenant is required."
        : tenant.Length > MaxTenantLength ? $"The tenant is longer than {MaxTenantLength} characters."
        : TenantPattern().IsMatch(tenant) ? null
        : "A tenant is letters, digits, '.', '_' and '-', starting with a letter or digit.";

    /// <summary>Why a type may not be published through the API (the platform's own, <c>webhooks.*</c>), or null.</summary>
    public static string? CheckPublishable(string? type) =>
        type is not null && Operational.OperationalEvents.IsOperational(type) ? $"'{type}': types under '{Operational.OperationalEvents.Prefix}' are the platform's own events." : null;

    /// <summary>Checks a whole event; the keys of the answer are the camelCase field names.</summary>
    public static Dictionary<string, string[]> Check(string? type, string? tenant, JsonElement? data, string? resource)
    {
        var errors = new Dictionary<string, string[]>();
        Add(errors, "type", CheckType(type));
        Add(errors, "tenant", CheckTenant(tenant));
        if (data is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null and not JsonValueKind.Undefined })
        {
            Add(errors, "data", "The data must be a JSON object.");
        }
        else if (data is { ValueKind: JsonValueKind.Object } d && NestsDeeperThan(d, MaxDataDepth))
        {
            Add(errors, "data", $"The data nests deeper than {MaxDataDepth} levels.");
        }
        var hasData = data is { ValueKind: JsonValueKind.Object };
        if (resource is not null)
        {
            Add(errors, "resource", CheckHttpUrl(resource, MaxResourceLength));
        }
        if (!hasData && resource is null)
        {
            Add(errors, "data", "An event needs data (a JSON object), a resource URL, or both.");
        }
        return errors;
    }

    /// <summary>Whether objects and arrays nest more than <paramref name="levels"/> deep; stops at the first branch that does.</summary>
    private static bool NestsDeeperThan(JsonElement element, int levels) => element.ValueKind switch
    {
        JsonValueKind.Object => levels == 0 || element.EnumerateObject().Any(p => NestsDeeperThan(p.Value, levels - 1)),
        JsonValueKind.Array => levels == 0 || element.EnumerateArray().Any(e => NestsDeeperThan(e, levels - 1)),
        _ => false,
    };

    /// <summary>An absolute http(s) URL without user information.</summary>
    public static string? CheckHttpUrl(string url, int maxLength)
    {
        if (url.Length > maxLength)
        {
            return $"The URL is longer than {maxLength} characters.";
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return $"'{url}' is not an absolute http or https URL.";
        }
        return uri.UserInfo.Length > 0 ? "The URL must not carry a user name or password." : null;
    }

    private static void Add(Dictionary<string, string[]> errors, string field, string? error)
    {
        if (error is not null)
        {
            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, error] : [error];
        }
    }
}
