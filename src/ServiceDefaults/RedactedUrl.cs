namespace Webhooks.ServiceDefaults;

/// <summary>
/// A subscriber URL as logs, traces and dead-letter details show it: scheme, host and port only.
/// Paths and queries often carry credentials (Slack's and many others' webhook URLs do).
/// </summary>
public static class RedactedUrl
{
    public static string Of(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Of(uri) : "(not a URL)";

    public static string Of(Uri uri) =>
        uri.PathAndQuery is "/" or "" ? uri.GetLeftPart(UriPartial.Authority) + "/" : uri.GetLeftPart(UriPartial.Authority) + "/…";
}
