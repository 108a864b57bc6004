using System.ComponentModel.DataAnnotations;

namespace Webhooks.Core.Events;

/// <summary>The links thin deliveries carry to fetch their event's data (section <c>Webhooks:DataLinks</c>; see <see cref="DataLink"/>).</summary>
public sealed class DataLinkOptions : IValidatableObject
{
    public const string Section = "Webhooks:DataLinks";

    /// <summary>Where subscribers reach Ingest: the links are made on it (dispatchers).</summary>
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:5080/");

    /// <summary>How long a link stays valid; never beyond the event's retention (dispatchers).</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Fetches per second per endpoint, and their burst (Ingest).</summary>
    [Range(0.01, 100_000)]
    public double FetchesPerSecond { get; set; } = 10;

    [Range(1, 100_000)]
    public int FetchBurst { get; set; } = 50;

    /// <summary>
    /// Links refused (bad signature, unknown endpoint, expiry beyond any genuine link's) per second from one client
    /// address, and per endpoint a link names, before refusals answer 429 without checking anything (Ingest).
    /// </summary>
    [Range(0.01, 100_000)]
    public double FailuresPerSecondPerClient { get; set; } = 5;

    [Range(1, 100_000)]
    public int FailureBurstPerClient { get; set; } = 20;

    [Range(0.01, 100_000)]
    public double FailuresPerSecondPerEndpoint { get; set; } = 20;

    [Range(1, 100_000)]
    public int FailureBurstPerEndpoint { get; set; } = 100;

    /// <summary>A genuine link never expires later than this ahead of now: its lifetime (capped by the retention) and a little clock skew.</summary>
    public TimeSpan LongestValidity(TimeSpan retention) => (Lifetime < retention ? Lifetime : retention) + TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!BaseUrl.IsAbsoluteUri || BaseUrl.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult($"{Section}:BaseUrl must be an absolute http(s) URL (Ingest as subscribers reach it).");
        }
        if (Lifetime < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult($"{Section}:Lifetime must be at least a minute.");
        }
    }
}
