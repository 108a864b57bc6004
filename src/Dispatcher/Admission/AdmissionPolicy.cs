using Microsoft.Extensions.Options;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Endpoints;
using Webhooks.Dispatcher.RateLimiting;
using Webhooks.Dispatcher.Retries;
using Webhooks.Messaging;

namespace Webhooks.Dispatcher.Admission;

/// <summary>
/// The decisions of admission, each from what Redis answered and the clock: whether a delivery is
/// due, whether its endpoint can take it, how long it may wait in place, and until when it is put
/// off. Pure; <see cref="DeliveryAdmission"/> asks Redis and follows these answers.
/// </summary>
public sealed class AdmissionPolicy(IOptions<RateLimitOptions> limits, IOptions<RetryOptions> retries, DelayLadder ladder, TimeProvider clock)
{
    /// <summary>
    /// Zero when the delivery is due, the rest of its wait when that is shorter than the shortest
    /// delay tier (a short rest, waited in place), or null when it must hop back to the tiers.
    /// </summary>
    public TimeSpan? WaitInPlaceUntilDue(DateTimeOffset? dueAt)
    {
        var remaining = dueAt is { } due ? due - clock.GetUtcNow() : TimeSpan.Zero;
        return remaining <= TimeSpan.Zero ? TimeSpan.Zero
            : remaining < ladder.Shortest ? remaining
            : null;
    }

    public AdmissionDecision.Deferred NotDue(DateTimeOffset dueAt) => new(dueAt, DeferralCause.NotDue);

    /// <summary>
    /// Null when the endpoint can take deliveries; otherwise why not: unknown while Redis is away
    /// (wait, it is not an attempt), deleted or disabled (dead-lettered, to be recovered later).
    /// </summary>
    public AdmissionDecision? CheckEndpoint(string endpointId, bool known, WebhookEndpoint? endpoint) =>
        !known ? new AdmissionDecision.Deferred(clock.GetUtcNow() + retries.Value.UnknownEndpointDelay, DeferralCause.UnknownEndpoint)
        : endpoint is null ? new AdmissionDecision.Refused(DeadLetterReasons.EndpointDeleted, $"Endpoint {endpointId} no longer exists.")
        : !endpoint.Enabled ? new AdmissionDecision.Refused(DeadLetterReasons.EndpointDisabled, $"Endpoint {endpointId} is disabled.")
        : null;

    /// <summary>Requests in flight to the endpoint across all dispatchers.</summary>
    public int InFlightCap(WebhookEndpoint endpoint) => endpoint.MaxInFlight ?? limits.Value.DefaultMaxInFlight;

    /// <summary>How long an in-flight place is held at most: past the endpoint's timeout, so a crashed dispatcher's place comes back.</summary>
    public static TimeSpan LeaseFor(WebhookEndpoint endpoint) => TimeSpan.FromSeconds(endpoint.TimeoutSeconds + 5);

    /// <summary>
    /// The endpoint is at its cap: the delivery waits for its <paramref name="turn"/> in line (null
    /// while Redis is away), never less than <see cref="RateLimitOptions.InFlightRetryDelay"/> and
    /// never more than <see cref="RateLimitOptions.MaxInFlightWait"/>, so a hanging endpoint's backlog still looks again.
    /// </summary>
    public AdmissionDecision.Deferred AtInFlightCap(TimeSpan? turn)
    {
        var bounds = limits.Value;
        var wait = turn is not { } t || t < bounds.InFlightRetryDelay ? bounds.InFlightRetryDelay
            : t > bounds.MaxInFlightWait ? bounds.MaxInFlightWait
            : t;
        return new(clock.GetUtcNow() + wait, DeferralCause.MaxInFlight);
    }

    /// <summary>
    /// The rate limiter said <paramref name="wait"/> after <paramref name="waited"/> spent waiting
    /// already: zero to go now, the wait when it still fits <see cref="RateLimitOptions.MaxInPlaceWait"/>,
    /// or null when the delivery should take a turn in the delay tiers instead.
    /// </summary>
    public TimeSpan? WaitInPlaceForRate(TimeSpan wait, TimeSpan waited) =>
        wait <= TimeSpan.Zero ? TimeSpan.Zero
        : waited + wait <= limits.Value.MaxInPlaceWait ? wait
        : null;

    /// <summary>Put off to its reserved <paramref name="turn"/>, and not before the limiter's <paramref name="wait"/>.</summary>
    public AdmissionDecision.Deferred RateLimited(TimeSpan wait, TimeSpan turn) =>
        new(clock.GetUtcNow() + (turn > wait ? turn : wait), DeferralCause.RateLimit);
}
