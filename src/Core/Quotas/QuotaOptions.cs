using System.ComponentModel.DataAnnotations;

namespace Webhooks.Core.Quotas;

/// <summary>
/// Every tenant's quotas unless an operator set its own (section <c>Webhooks:Quotas</c>): sized for
/// one box shared by many tenants, not unlimited. Overrides: <c>PUT /v1/tenants/{tenant}/quotas</c>.
/// </summary>
public sealed class QuotaOptions
{
    public const string Section = "Webhooks:Quotas";

    /// <summary>Endpoints a tenant may have.</summary>
    [Range(1, QuotaLimits.MaxEndpoints)]
    public int Endpoints { get; set; } = QuotaLimits.DefaultEndpoints;

    /// <summary>Events a second a tenant may publish, sustained.</summary>
    [Range(QuotaLimits.MinPerSecond, QuotaLimits.MaxEventsPerSecond)]
    public double EventsPerSecond { get; set; } = 300;

    /// <summary>Events a tenant may publish at once above its rate (a batch counts each event).</summary>
    [Range(1, QuotaLimits.MaxBurst)]
    public int EventsBurst { get; set; } = 600;

    /// <summary>Bytes of event bodies a second a tenant may publish, sustained.</summary>
    [Range(QuotaLimits.MinBytes, QuotaLimits.MaxBytesPerSecond)]
    public double BytesPerSecond { get; set; } = 4 * 1024 * 1024;

    /// <summary>Bytes a tenant may publish at once above its rate; at least the largest batch.</summary>
    [Range(QuotaLimits.MinBytes, QuotaLimits.MaxBytesBurst)]
    public int BytesBurst { get; set; } = 16 * 1024 * 1024;

    /// <summary>Dead letters a tenant keeps; past it, the oldest are forgotten (counted in <c>webhooks.dead_letters.dropped</c>).</summary>
    [Range(1, QuotaLimits.MaxDeadLetters)]
    public int DeadLetters { get; set; } = 10_000;

    /// <summary>Bytes of attempt records kept per endpoint of the tenant (on top of the count kept); past it, the oldest go.</summary>
    [Range(QuotaLimits.MinBytes, QuotaLimits.MaxAttemptLogBytes)]
    public int AttemptLogBytes { get; set; } = 512 * 1024;

    public TenantQuotas Defaults => new(Endpoints, EventsPerSecond, EventsBurst, BytesPerSecond, BytesBurst, DeadLetters, AttemptLogBytes);
}

/// <summary>The bounds of any quota, default or override.</summary>
public static class QuotaLimits
{
    public const int DefaultEndpoints = 200;
    public const int MaxEndpoints = 1_000_000;
    public const int MinBytes = 1024;
    public const double MinPerSecond = 0.01;
    public const double MaxEventsPerSecond = 1_000_000;
    public const int MaxBurst = 10_000_000;
    public const double MaxBytesPerSecond = 10_000_000_000;
    public const int MaxBytesBurst = int.MaxValue;
    public const int MaxDeadLetters = 100_000_000;
    public const int MaxAttemptLogBytes = 1024 * 1024 * 1024;
}
