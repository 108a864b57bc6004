using System.ComponentModel.DataAnnotations;

namespace Webhooks.Ingest;

/// <summary>Limits and timings of the HTTP API (section <c>Webhooks:Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Webhooks:Ingest";

    /// <summary>The largest event body accepted (413 beyond it).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 256 * 1024;

    /// <summary>The largest batch body accepted; each event in it still obeys <see cref="MaxEventBytes"/>.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    [Range(1, 1000)]
    public int MaxBatchEvents { get; set; } = 100;

    /// <summary>How long a publish may wait for the broker's confirm before the caller gets 503.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The <c>Retry-After</c> sent with a 503.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 5;

    public TimeSpan IdempotencyKeyLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a rotated-out secret keeps signing next to the new one.</summary>
    public TimeSpan SecretRotationGrace { get; set; } = TimeSpan.FromHours(24);
}
