namespace Webhooks.Core.Quotas;

/// <summary>What one tenant may use: the defaults, or its operator's overrides of them.</summary>
public sealed record TenantQuotas(int Endpoints, double EventsPerSecond, int EventsBurst, double BytesPerSecond, int BytesBurst, int DeadLetters, int AttemptLogBytes);

/// <summary>An operator's overrides for one tenant; a null field keeps the default.</summary>
public sealed record QuotaOverrides(int? Endpoints, double? EventsPerSecond, int? EventsBurst, double? BytesPerSecond, int? BytesBurst, int? DeadLetters = null, int? AttemptLogBytes = null)
{
    public static QuotaOverrides None { get; } = new(null, null, null, null, null);

    public bool IsEmpty => this == None;

    public TenantQuotas Over(TenantQuotas defaults) => new(
        Endpoints ?? defaults.Endpoints,
        EventsPerSecond ?? defaults.EventsPerSecond,
        EventsBurst ?? defaults.EventsBurst,
        BytesPerSecond ?? defaults.BytesPerSecond,
        BytesBurst ?? defaults.BytesBurst,
        DeadLetters ?? defaults.DeadLetters,
        AttemptLogBytes ?? defaults.AttemptLogBytes);
}

/// <summary>What the event quota says about some events: go, wait, or never in one piece.</summary>
public abstract record QuotaVerdict
{
    private QuotaVerdict() { }

    public sealed record Within : QuotaVerdict;

    /// <summary>Over the tenant's rate now; the same request fits after <paramref name="RetryAfter"/>.</summary>
    public sealed record Over(TimeSpan RetryAfter, string Quota) : QuotaVerdict;

    /// <summary>Larger than the tenant's whole burst: it never fits, however long the caller waits.</summary>
    public sealed record LargerThanBurst(string Quota, long Burst) : QuotaVerdict;
}
