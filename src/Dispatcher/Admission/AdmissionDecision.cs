using Webhooks.Core.Endpoints;
using Webhooks.Dispatcher.RateLimiting;

namespace Webhooks.Dispatcher.Admission;

/// <summary>Whether a delivery may be attempted now, as <see cref="DeliveryAdmission"/> finds it.</summary>
public abstract record AdmissionDecision
{
    private AdmissionDecision()
    {
    }

    /// <summary>
    /// Go: <paramref name="Lease"/> holds one of the endpoint's in-flight places until it is released; a rate-limited
    /// endpoint's request passes <paramref name="Gate"/> as it begins.
    /// </summary>
    public sealed record Admitted(WebhookEndpoint Endpoint, InFlightLease Lease, StartGate? Gate = null) : AdmissionDecision;

    /// <summary>Not now, and not an attempt: the delivery waits in the delay tiers until <paramref name="Until"/>.</summary>
    public sealed record Deferred(DateTimeOffset Until, DeferralCause Cause) : AdmissionDecision;

    /// <summary>Never: the endpoint is gone or disabled, so the delivery is dead-lettered with <paramref name="Reason"/>.</summary>
    public sealed record Refused(string Reason, string Detail) : AdmissionDecision;
}
