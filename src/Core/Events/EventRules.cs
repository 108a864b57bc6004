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

    // \z, not $: '$' also matches before a final newline ("order.created\n" would pass).
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*\\z")]
    private static partial Regex TypePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*\\z")]
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
        else if (data is { ValueKind: JsonValueKind.Object } d && CheckData(d) is { } dataError)
        {
            Add(errors, "data", dataError);
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

    /// <summary>
    /// Why an event's data cannot be kept and sent as given, or null: nesting deeper than <see cref="MaxDataDepth"/>, or
    /// text that is not Unicode (an unpaired surrogate escape such as <c>"\ud800"</c> is valid JSON text but no string:
    /// it cannot be written as UTF-8, so it would fail after the event was accepted).
    /// </summary>
    public static string? CheckData(JsonElement data) =>
        NestsDeeperThan(data, MaxDataDepth) ? $"The data nests deeper than {MaxDataDepth} levels."
        : FirstUnpairedSurrogate(data) is { } path ? $"The data holds text that is not Unicode at {path} (an unpaired surrogate such as \\ud800): send characters, not halves of them."
        : null;

    /// <summary>Whether objects and arrays nest more than <paramref name="levels"/> deep; stops at the first branch that does.</summary>
    private static bool NestsDeeperThan(JsonElement element, int levels) => element.ValueKind switch
    {
        JsonValueKind.Object => levels == 0 || element.EnumerateObject().Any(p => NestsDeeperThan(p.Value, levels - 1)),
        JsonValueKind.Array => levels == 0 || element.EnumerateArray().Any(e => NestsDeeperThan(e, levels - 1)),
        _ => false,
    };

    /// <summary>The path of the first property name or string in <paramref name="element"/> that is not valid UTF-16, or null.</summary>
    private static string? FirstUnpairedSurrogate(JsonElement element, string path = "data")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsText(property, static p => p.Name))
                    {
                        return path;
                    }
                    if (FirstUnpairedSurrogate(property.Value, $"{path}.{property.Name}") is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstUnpairedSurrogate(item, $"{path}[{i++}]") is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonValueKind.String:
                return IsText(element, static e => e.GetString()!) ? null : path;
            default:
                return null;
        }
    }

    private static bool IsText<T>(T value, Func<T, string> read)
    {
        string text;
        try
        {
            text = read(value);
        }
        catch (InvalidOperationException)
        {
            return false; // System.Text.Json refuses to decode it
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }

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
