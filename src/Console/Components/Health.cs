using System.Globalization;
using System.Text.Json;

namespace Webhooks.Console.Components;

/// <summary>How the pages say an endpoint's stats and the API's values.</summary>
public static class Health
{
    /// <summary>JSON indented and as written: the page escapes it as HTML, so '&lt;' need not become \u003C.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string SuccessRate(JsonElement stats, string window) =>
        stats.ValueKind == JsonValueKind.Object && stats.TryGetProperty(window, out var w) && w.TryGetProperty("successRate", out var rate) && rate.ValueKind == JsonValueKind.Number
            ? $"{rate.GetDouble() * 100:0.#}% of {w.GetProperty("attempts").GetInt64()}"
            : "no attempts";

    public static string When(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var at) && at.ValueKind == JsonValueKind.String ? Time(at.GetDateTimeOffset()) : "—";

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Why an endpoint is off, as its customer would say it.</summary>
    public static string DisabledWhy(JsonElement endpoint) => endpoint.Str("disabledReason") switch
    {
        "gone" => $"it answered 410 Gone ({When(endpoint, "disabledAt")})",
        "failing" => $"it kept failing for the auto-disable period ({When(endpoint, "disabledAt")})",
        "manual" => $"switched off by hand ({When(endpoint, "disabledAt")})",
        _ => "switched off",
    };

    /// <summary>A string property, or null when it is absent or null.</summary>
    public static string? Str(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A property as text (a number, a bool, a string), or null.</summary>
    public static string? Text(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;
}
