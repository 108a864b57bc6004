using System.Globalization;

namespace Webhooks.Console.Components;

/// <summary>Query strings of the pages' filters: a path with the given, non-empty parameters; datetime-local values as UTC.</summary>
public static class Filters
{
    public static string Query(string path, params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!.Trim())}").ToList();
        return given.Count == 0 ? path : $"{path}?{string.Join('&', given)}";
    }

    /// <summary>A datetime-local value (<c>2026-12-07T10:30</c>) read as UTC and written as the API takes it; other text as given (the API says what is wrong with it).</summary>
    public static string? Utc(string? local) =>
        string.IsNullOrWhiteSpace(local) ? null
        : DateTime.TryParse(local, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? new DateTimeOffset(at, TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture)
            : local;
}

/// <summary>The kinds of job the console starts (Ingest's <c>POST /v1/jobs</c>).</summary>
public static class JobKinds
{
    public const string Redrive = "redrive";
    public const string Purge = "purge";
}
