using System.Text.Json.Serialization;
using Webhooks.Core.Quotas;

namespace Webhooks.Ingest.Quotas;

/// <summary>
/// <c>PUT /v1/tenants/{tenant}/quotas</c>: the tenant's overrides; a field left out (or null) keeps
/// the default. The whole set is replaced, so a misspelt field is refused rather than read as "default".
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record QuotaRequest(int? Endpoints, double? EventsPerSecond, int? EventsBurst, double? BytesPerSecond, int? BytesBurst, int? DeadLetters = null, int? AttemptLogBytes = null)
{
    public Dictionary<string, string[]> Check()
    {
        var errors = new Dictionary<string, string[]>();
        Range("endpoints", Endpoints, 1, QuotaLimits.MaxEndpoints);
        Range("eventsPerSecond", EventsPerSecond, QuotaLimits.MinPerSecond, QuotaLimits.MaxEventsPerSecond);
        Range("eventsBurst", EventsBurst, 1, QuotaLimits.MaxBurst);
        Range("bytesPerSecond", BytesPerSecond, QuotaLimits.MinBytes, QuotaLimits.MaxBytesPerSecond);
        Range("bytesBurst", BytesBurst, QuotaLimits.MinBytes, QuotaLimits.MaxBytesBurst);
        Range("deadLetters", DeadLetters, 1, QuotaLimits.MaxDeadLetters);
        Range("attemptLogBytes", AttemptLogBytes, QuotaLimits.MinBytes, QuotaLimits.MaxAttemptLogBytes);
        return errors;

        void Range(string field, double? value, double min, double max)
        {
            if (value is { } v && !(v >= min && v <= max))
            {
                errors[field] = [$"Between {min} and {max}, or null for the default."];
            }
        }
    }

    public QuotaOverrides ToOverrides() => new(Endpoints, EventsPerSecond, EventsBurst, BytesPerSecond, BytesBurst, DeadLetters, AttemptLogBytes);
}

/// <summary>A tenant's quotas as they apply, and which of them an operator set.</summary>
public sealed record QuotaView(string Tenant, TenantQuotas Quotas, QuotaOverrides Overrides)
{
    public static QuotaView Of(string tenant, QuotaOverrides overrides, TenantQuotas defaults) => new(tenant, overrides.Over(defaults), overrides);
}
