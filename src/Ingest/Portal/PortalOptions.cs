namespace Webhooks.Ingest.Portal;

/// <summary>Portal links (section <c>Webhooks:Portal</c>).</summary>
public sealed class PortalOptions
{
    public const string Section = "Webhooks:Portal";

    /// <summary>The Console's public address; a new link is <c>{ConsoleUrl}/portal/open?token=…</c>. Unset: links carry the token alone.</summary>
    public Uri? ConsoleUrl { get; set; }

    /// <summary>How long a link (and the session it opens) lasts when the request does not say.</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest a link may last.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(24);
}
