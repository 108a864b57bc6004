using System.ComponentModel.DataAnnotations;

namespace Webhooks.Console;

/// <summary>The console's settings (section <c>Webhooks:Console</c>).</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Webhooks:Console";

    /// <summary>Ingest's address, as the CLI's <c>--url</c>: every page is made of its HTTP API.</summary>
    [Required]
    public Uri? IngestUrl { get; set; }

    /// <summary>The origins that may show the portal in an iframe (CSP <c>frame-ancestors</c>); none: no framing at all.</summary>
    public List<string> FrameAncestors { get; set; } = [];

    /// <summary>
    /// The session cookie's SameSite: <c>Lax</c> by default; <c>None</c> (which also makes it Secure, so HTTPS only) for a
    /// portal embedded in an iframe on another site, where a Lax cookie is not sent.
    /// </summary>
    public SameSiteMode CookieSameSite { get; set; } = SameSiteMode.Lax;

    /// <summary>The tracing UI's page of a trace, with <c>{traceId}</c> in it (the Aspire dashboard: <c>http://127.0.0.1:18888/traces/detail/{traceId}</c>); none: no links.</summary>
    public string? TraceUrl { get; set; }

    public BrandOptions Brand { get; set; } = new();
}

/// <summary>How the portal presents itself to a company's customers.</summary>
public sealed partial class BrandOptions
{
    public string Name { get; set; } = "Webhooks";

    /// <summary>An https (or same-site) address of a logo image; none: the name alone.</summary>
    public Uri? LogoUrl { get; set; }

    /// <summary>The accent colour, as <c>#rrggbb</c>.</summary>
    public string AccentColor { get; set; } = "#3451b2";

    public static bool IsColor(string? value) => value is { Length: 7 } && value[0] == '#' && value[1..].All(char.IsAsciiHexDigit);
}
