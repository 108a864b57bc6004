using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.Operational;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Dispatcher.Admission;
using Webhooks.Dispatcher.DeadLetters;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.Endpoints;
using Webhooks.Dispatcher.RateLimiting;
using Webhooks.Dispatcher.Retries;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.Deliveries;

/// <summary>
/// One delivery's turn: admission says go, wait or never; an admitted delivery is attempted and
/// recorded, and the retry policy's verdict is carried out (done, retry in the delay tiers,
/// dead letter, endpoint disabled). The decisions live in <see cref="AdmissionPolicy"/> and
/// <see cref="RetryPolicy"/>; this class only follows them. A turn is taken by the delivery
/// lanes (<see cref="DeliverWebhookConsumer"/>) and, for a first attempt that can go now, by fan-out itself.
/// </summary>
public sealed partial class DeliveryTurn(
    DeliveryAdmission admission,
    WebhookSender sender,
    RetryPolicy retries,
    IOptions<RetryOptions> retryOptions,
    EndpointHealth health,
    DeliveryStore deliveries,
    AttemptRecording attempts,
    AttemptRecorder recorder,
    DelayLadder ladder,
    DeadLetterSender deadLetters,
    RedisCircuit circuit,
    SecretProtector protector,
    SlowEndpoints slow,
    TimeProvider clock,
    IOptions<BrokerOptions> broker,
    ILogger<DeliveryTurn> logger)
{
    /// <summary>
    /// Takes <paramref name="delivery"/>'s turn; what it sends (a deferral, a retry, a dead letter, an operational event)
    /// goes through <paramref name="context"/>, the message being consumed: the delivery itself, or the event fanned out.
    /// What waits comes back to <paramref name="lane"/> (the delivery lane consumed, when null). <paramref name="endsFanOut"/>: the
    /// turn is the last act of its event's fan-out (its only delivery), so a delivered attempt's record marks the fan-out done too.
    /// </summary>
    public async Task<TurnEnd> TakeAsync(ConsumeContext context, DeliverWebhook delivery, string? lane = null, bool endsFanOut = false)
    {
        if (delivery.MayBeSuperseded && await SupersededAsync(delivery))
        {
            // A copy whose delivery meanwhile succeeded, or went on in a newer chain (resent, redriven, recovered): nothing left to do.
            LogSuperseded(delivery.EventId, delivery.EndpointId, delivery.Number);
            return TurnEnd.Over;
        }
        switch (await admission.AdmitAsync(delivery, context.CancellationToken))
        {
            case AdmissionDecision.Deferred deferred:
                if (deferred.Cause is DeferralCause.MaxInFlight or DeferralCause.RateLimit)
                {
                    DispatcherTelemetry.Deferred.Add(1, DispatcherTelemetry.Tag("reason", deferred.Cause == DeferralCause.RateLimit ? "rate_limit" : "max_in_flight"));
                }
                await ladder.DeferAsync(context, delivery with { DueAt = deferred.Until, TraceLink = delivery.TraceLink ?? Activity.Current?.Id }, lane);
                return TurnEnd.PutOff;
            case AdmissionDecision.Refused refused when delivery.Test:
                LogTestRefused(delivery.EventId, delivery.EndpointId, refused.Detail);
                return TurnEnd.Over;
            case AdmissionDecision.Refused refused:
                await DeadLetterAsync(context, delivery, refused.Reason, refused.Detail, lastAttempt: null);
                return TurnEnd.Over;
            case AdmissionDecision.Admitted admitted:
                try
                {
                    return await AttemptAsync(context, delivery, lane, admitted.Endpoint, admitted.Lease, admitted.Gate, endsFanOut);
                }
                finally
                {
                    await admitted.Lease.ReleaseAsync();
                }
            default:
                throw new InvalidOperationException("An admission decision of an unknown kind.");
        }
    }

    /// <summary>
    /// Whether the delivery's record says it succeeded, or that another chain has replaced this copy's (a delivery has
    /// one live chain); while Redis is away, neither is assumed.
    /// </summary>
    private async Task<bool> SupersededAsync(DeliverWebhook delivery) =>
        (await circuit.TryAsync(() => deliveries.GetAsync(delivery.EventId, delivery.EndpointId))).Value is { } record
        && (record is { Status: DeliveryStatus.Delivered } && record.Id == delivery.DeliveryId || !record.IsChain(delivery.Chain));

    /// <summary>Sends the request, records it (its in-flight place given back in the same write), and carries out the verdict.</summary>
    private async Task<TurnEnd> AttemptAsync(ConsumeContext context, DeliverWebhook delivery, string? lane, WebhookEndpoint endpoint, InFlightLease lease, StartGate? gate, bool endsFanOut)
    {
        using var activity = DispatcherTelemetry.Activities.StartActivity(ActivityKind.Internal, links: LinkTo(delivery.TraceLink), name: "webhook deliver");
        activity?.SetTag("webhooks.event.id", delivery.EventId);
        activity?.SetTag("webhooks.endpoint.id", delivery.EndpointId);
        activity?.SetTag("webhooks.delivery.attempt", delivery.Attempt);

        var at = clock.GetUtcNow();
        // In-flight requests finish on shutdown: only the endpoint's own timeout cuts them short.
        var result = await sender.SendAsync(endpoint, delivery, CancellationToken.None, gate);
        if (result.NotSentFor is { } turn)
        {
            // Began too late for its rate-limit turn and was not sent: not an attempt, it takes its new turn in the tiers.
            await lease.ReleaseAsync();
            DispatcherTelemetry.Deferred.Add(1, DispatcherTelemetry.Tag("reason", "rate_limit"));
            await ladder.DeferAsync(context, delivery with { DueAt = clock.GetUtcNow() + turn, TraceLink = delivery.TraceLink ?? activity?.Id }, lane);
            return TurnEnd.PutOff;
        }
        // The request is done: its in-flight place goes back with the attempt's record (or now, beside it, when held without Redis).
        lease.Observe(result.Duration);
        slow.Observe(endpoint.Id, result);
        var leaseId = lease.HandOver();
        var releasing = leaseId is null ? lease.ReleaseAsync() : Task.CompletedTask;
        DispatcherTelemetry.AttemptDuration.Record(result.Duration.TotalSeconds);
        DispatcherTelemetry.Attempts.Add(1, DispatcherTelemetry.Tag("outcome", result.Succeeded ? "delivered" : "failed"), DispatcherTelemetry.Tag("status_class", DispatcherTelemetry.StatusClass(result.StatusCode)));
        activity?.SetTag("http.response.status_code", result.StatusCode);
        // A failure is judged with the endpoint's run of failures, so that is written and read first; a success ends the run
        // in the same write as its record. A test is one attempt that says nothing of the endpoint's health: it neither starts nor ends a run.
        var streak = delivery.Test || result.Succeeded ? Task.FromResult<DateTimeOffset?>(null) : health.RecordFailureAsync(endpoint.Id, at);
        if (result.Succeeded && !delivery.Test)
        {
            health.Recovered(endpoint.Id);
        }
        var failingSince = await streak;

        var verdict = delivery.Test ? new AttemptVerdict.Delivered() : retries.Decide(delivery.Attempt, result, at, failingSince, endpoint.Url);
        var nextAttemptAt = (verdict as AttemptVerdict.RetryAt)?.DueAt;
        var attempt = Attempt(delivery, at, result, activity, nextAttemptAt, retries.FinalNumber(delivery));
        // Only a delivered attempt can end a fan-out in its record: a retry or a dead letter is still to be sent after it.
        var fannedOut = endsFanOut && !delivery.Test && verdict is AttemptVerdict.Delivered;
        bool live;
        try
        {
            live = await recorder.RecordAsync(() => attempts.RecordAsync(attempt, endpoint.Tenant, result.Succeeded ? DeliveryStatus.Delivered : DeliveryStatus.Failed, delivery.Chain,
                final: delivery.Test, endsFailureRun: !delivery.Test, inFlightLease: leaseId, endsFanOut: fannedOut));
        }
        finally
        {
            await Task.WhenAll(streak, releasing);
        }
        if (!result.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Error ?? $"HTTP {result.StatusCode}");
        }
        if (!live)
        {
            // Resent, redriven or recovered while this attempt was in flight: the newer chain goes on, this one ends here.
            LogSuperseded(delivery.EventId, delivery.EndpointId, delivery.Number);
            return fannedOut ? TurnEnd.OverAndFannedOut : TurnEnd.Over;
        }

        var outcome = new AttemptOutcome { Number = delivery.Number, At = at, StatusCode = result.StatusCode, Error = result.Error, ErrorDetail = result.ErrorDetail, DurationMs = result.Duration.TotalMilliseconds, TraceId = attempt.TraceId };
        switch (verdict)
        {
            case AttemptVerdict.Delivered:
                DispatcherTelemetry.Lag.Record((clock.GetUtcNow() - delivery.OccurredAt).TotalSeconds);
                if (delivery.Number > 1 && !OperationalEvents.IsOperational(delivery.Type))
                {
                    await context.PublishSealedAsync(protector, OperationalEvents.Create(delivery.Tenant, OperationalEvents.DeliveryRecovered,
                        new { delivery.EventId, EventType = delivery.Type, delivery.EndpointId, delivery.DeliveryId, Attempts = delivery.Number }, at)).Confirmed(broker.Value);
                }
                break;
            case AttemptVerdict.RetryAt retry:
                if (retry.AsAsked)
                {
                    DispatcherTelemetry.Deferred.Add(1, DispatcherTelemetry.Tag("reason", "retry_after"));
                }
                if (failingSince is { } since)
                {
                    await health.AnnounceFailingAsync(context, endpoint, since, retryOptions.Value.FailingAnnounceAfter, retryOptions.Value.AutoDisableAfter);
                }
                // Every retry links to the first attempt of its schedule.
                var firstAttempt = delivery.Attempt == 1 ? activity?.Id : delivery.TraceLink;
                await ladder.DeferAsync(context, delivery with { Attempt = delivery.Attempt + 1, DueAt = retry.DueAt, TraceLink = firstAttempt }, lane);
                LogRetryScheduled(delivery.EventId, delivery.EndpointId, delivery.Attempt, result.Error ?? $"HTTP {result.StatusCode}", retry.DueAt);
                break;
            case AttemptVerdict.DisableEndpoint disable:
                await health.DisableAsync(context, endpoint, disable.Why, failingSince);
                await DeadLetterAsync(context, delivery, DeadLetterReasons.EndpointDisabled, disable.Detail, outcome);
                break;
            case AttemptVerdict.DeadLetter deadLetter:
                await DeadLetterAsync(context, delivery, deadLetter.Reason, deadLetter.Detail, outcome);
                break;
        }
        return fannedOut ? TurnEnd.OverAndFannedOut : TurnEnd.Over;
    }

    private static ActivityLink[]? LinkTo(string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, out var linked) ? [new ActivityLink(linked)] : null;

    private static DeliveryAttempt Attempt(DeliverWebhook delivery, DateTimeOffset at, SendResult result, Activity? activity, DateTimeOffset? nextAttemptAt, int finalNumber) => new()
    {
        DeliveryId = delivery.DeliveryId,
        EventId = delivery.EventId,
        EndpointId = delivery.EndpointId,
        Number = delivery.Number,
        At = at,
        Succeeded = result.Succeeded,
        StatusCode = result.StatusCode,
        Error = result.Error,
        ErrorDetail = result.ErrorDetail,
        DurationMs = result.Duration.TotalMilliseconds,
        ResponseBody = result.ResponseBody,
        TraceId = activity?.TraceId.ToString(),
        NextAttemptAt = nextAttemptAt,
        FinalNumber = finalNumber,
    };

    private Task DeadLetterAsync(ConsumeContext context, DeliverWebhook delivery, string reason, string detail, AttemptOutcome? lastAttempt) =>
        deadLetters.SendAsync(context, new DeliveryDeadLettered
        {
            Reason = reason,
            Detail = detail,
            EventId = delivery.EventId,
            Tenant = delivery.Tenant,
            DeadLetteredAt = clock.GetUtcNow(),
            Delivery = delivery,
            LastAttempt = lastAttempt,
        });

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} of event {EventId} to endpoint {EndpointId} dropped: the delivery already succeeded, or a resend, redrive or recover replaced this retry")]
    private partial void LogSuperseded(string eventId, string endpointId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Test event {EventId} not sent to endpoint {EndpointId}: {Detail}")]
    private partial void LogTestRefused(string eventId, string endpointId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} of event {EventId} to endpoint {EndpointId} failed ({Failure}); next at {DueAt:o}")]
    private partial void LogRetryScheduled(string eventId, string endpointId, int attempt, string failure, DateTimeOffset dueAt);
}

/// <summary>How a delivery's turn ended.</summary>
public enum TurnEnd
{
    /// <summary>Attempted (and what follows sent), refused, or found superseded.</summary>
    Over,

    /// <summary>Put off without an attempt, to wait in the delay tiers.</summary>
    PutOff,

    /// <summary>Delivered, and its record marked its event's fan-out done (asked for with <c>endsFanOut</c>).</summary>
    OverAndFannedOut,
}
