using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Dispatcher.Endpoints;
using Webhooks.Dispatcher.RateLimiting;

namespace Webhooks.Dispatcher.Admission;

/// <summary>
/// Lets a delivery through to its attempt, or says until when it waits or why it never goes:
/// due time, endpoint state, the endpoint's in-flight cap, then its rate limit, as
/// <see cref="AdmissionPolicy"/> decides from what Redis answers.
/// </summary>
public sealed class DeliveryAdmission(EndpointCache endpoints, InFlightLimiter inFlight, EndpointRateLimiter rateLimiter, AdmissionPolicy policy, IOptions<RateLimitOptions> limits, TimeProvider clock)
{
    public async Task<AdmissionDecision> AdmitAsync(DeliverWebhook delivery, CancellationToken cancellationToken)
    {
        if (policy.WaitInPlaceUntilDue(delivery.DueAt) is not { } untilDue)
        {
            return policy.NotDue(delivery.DueAt!.Value);
        }
        if (untilDue > TimeSpan.Zero)
        {
            await Task.Delay(untilDue, clock, cancellationToken);
        }

        bool known;
        WebhookEndpoint? endpoint;
        try
        {
            (known, endpoint) = await endpoints.GetAsync(delivery.EndpointId);
        }
        catch (CryptographicException e)
        {
            // Only this endpoint's deliveries wait for the key ring to be fixed (as dead letters, redrivable); the others go on.
            return new AdmissionDecision.Refused(DeadLetterReasons.SecretUnreadable, $"Endpoint {delivery.EndpointId}'s signing secret cannot be read: {e.Message}");
        }
        if (policy.CheckEndpoint(delivery.EndpointId, known, endpoint) is { } refusal)
        {
            return refusal;
        }

        // A slow endpoint holds at most its share of consumers, and waits for its rate within that share.
        var cap = policy.InFlightCap(endpoint!);
        var checkStarted = clock.GetTimestamp();
        var acquired = await inFlight.TryAcquireAsync(endpoint!.Id, cap, AdmissionPolicy.LeaseFor(endpoint));
        RecordCheck(checkStarted, "in_flight");
        if (acquired is not { } lease)
        {
            return policy.AtInFlightCap(await inFlight.ReserveTurnAsync(endpoint.Id, cap));
        }
        try
        {
            if (endpoint.RateLimit is not { } limit)
            {
                return new AdmissionDecision.Admitted(endpoint, lease);
            }
            if (await WaitForRateAsync(endpoint, limit, cancellationToken) is { } deferred)
            {
                await lease.ReleaseAsync();
                return deferred;
            }
            // A request that begins too late after this takes a new turn before its first byte (null: it waits for it in place).
            var gate = new StartGate(System.Diagnostics.Stopwatch.GetTimestamp(), limits.Value.SendSlack,
                async ct => await WaitForRateAsync(endpoint, limit, ct) is { } later ? later.Until - clock.GetUtcNow() : null);
            return new AdmissionDecision.Admitted(endpoint, lease, gate);
        }
        catch
        {
            await lease.ReleaseAsync();
            throw;
        }
    }

    /// <summary>Null when the rate limit lets the request go now (after a short wait in place); otherwise the deferral to its turn.</summary>
    private async Task<AdmissionDecision.Deferred?> WaitForRateAsync(WebhookEndpoint endpoint, RateLimit limit, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            var checkStarted = clock.GetTimestamp();
            var wait = await rateLimiter.TryAcquireAsync(endpoint, limit);
            RecordCheck(checkStarted, "rate_limit");
            switch (policy.WaitInPlaceForRate(wait, waited))
            {
                case { } here when here == TimeSpan.Zero:
                    return null;
                case { } here:
                    await Task.Delay(here, clock, cancellationToken);
                    waited += here;
                    break;
                default:
                    return policy.RateLimited(wait, await rateLimiter.ReserveTurnAsync(endpoint, limit));
            }
        }
    }

    private void RecordCheck(long started, string check) =>
        DispatcherTelemetry.AdmissionCheck.Record(clock.GetElapsedTime(started).TotalSeconds, DispatcherTelemetry.Tag("check", check));
}
