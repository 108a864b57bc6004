using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Dispatcher.DeadLetters;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.RateLimiting;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Makes one attempt to deliver an event to an endpoint, records it, and either schedules the
/// next attempt in the delay tiers or, when the schedule is exhausted or the endpoint is gone or
/// disabled, dead-letters the delivery with its reason.
/// </summary>
public sealed partial class DeliverWebhookConsumer(
    EndpointRegistry registry,
    EndpointCache endpoints,
    EndpointRateLimiter rateLimiter,
    InFlightLimiter inFlight,
    RedisCircuit circuit,
    AttemptRecorder recorder,
    IOptions<RateLimitOptions> rateOptions,
    EventStore store,
    WebhookSender sender,
    RetrySchedule schedule,
    DelayLadder ladder,
    DeadLetterQueue deadLetters,
    IOptions<RetryOptions> retryOptions,
    ILogger<DeliverWebhookConsumer> logger) : IConsumer<DeliverWebhook>
{
    public async Task Consume(ConsumeContext<DeliverWebhook> context)
    {
        var delivery = context.Message;
        if (!await IsDueAsync(context, delivery))
        {
            return;
        }

        var (known, endpoint) = await endpoints.GetAsync(delivery.EndpointId);
        if (!known)
        {
            // Redis is away and this dispatcher has never seen the endpoint: wait, it is not an attempt.
            await ladder.DeferAsync(context, delivery with { DueAt = DateTimeOffset.UtcNow.AddSeconds(5) });
            return;
        }
        if (endpoint is null || !endpoint.Enabled)
        {
            var reason = endpoint is null ? DeadLetterReasons.EndpointDeleted : DeadLetterReasons.EndpointDisabled;
            await Park(context, reason, endpoint is null ? $"Endpoint {delivery.EndpointId} no longer exists." : $"Endpoint {delivery.EndpointId} is disabled.", null);
            return;
        }

        // A slow endpoint holds at most its share of consumers, and waits for its rate within that share.
        var cap = endpoint.MaxInFlight ?? rateOptions.Value.DefaultMaxInFlight;
        var lease = await inFlight.TryAcquireAsync(endpoint.Id, cap, TimeSpan.FromSeconds(endpoint.TimeoutSeconds + 5));
        if (lease is null)
        {
            DeliveryMetrics.Deferred.Add(1, new KeyValuePair<string, object?>("reason", "max_in_flight"));
            var turn = await inFlight.ReserveTurnAsync(endpoint.Id, cap);
            await ladder.DeferAsync(context, delivery with { DueAt = DateTimeOffset.UtcNow + turn });
            return;
        }
        try
        {
            if (endpoint.RateLimit is { } limit && !await AdmitAsync(context, endpoint, limit))
            {
                return;
            }
            await AttemptAsync(context, endpoint);
        }
        finally
        {
            await lease.ReleaseAsync();
        }
    }

    /// <summary>True when the rate limit lets the request go now (after a short wait in place); otherwise the delivery is deferred to its turn, not counted as an attempt.</summary>
    private async Task<bool> AdmitAsync(ConsumeContext<DeliverWebhook> context, WebhookEndpoint endpoint, RateLimit limit)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            var wait = await rateLimiter.TryAcquireAsync(endpoint, limit);
            if (wait <= TimeSpan.Zero)
            {
                return true;
            }
            if (waited + wait <= rateOptions.Value.MaxInPlaceWait)
            {
                await Task.Delay(wait, context.CancellationToken);
                waited += wait;
                continue;
            }
            var turn = await rateLimiter.ReserveTurnAsync(endpoint, limit);
            DeliveryMetrics.Deferred.Add(1, new KeyValuePair<string, object?>("reason", "rate_limit"));
            await ladder.DeferAsync(context, context.Message with { DueAt = DateTimeOffset.UtcNow + (turn > wait ? turn : wait) });
            return false;
        }
    }

    private async Task AttemptAsync(ConsumeContext<DeliverWebhook> context, WebhookEndpoint endpoint)
    {
        var delivery = context.Message;
        using var activity = DispatcherApplication.Activities.StartActivity("webhook deliver", ActivityKind.Internal);
        activity?.SetTag("webhooks.event.id", delivery.EventId);
        activity?.SetTag("webhooks.endpoint.id", delivery.EndpointId);
        activity?.SetTag("webhooks.delivery.attempt", delivery.Attempt);

        var at = DateTimeOffset.UtcNow;
        // In-flight requests finish on shutdown: only the endpoint's own timeout cuts them short.
        var result = await sender.SendAsync(endpoint, delivery, CancellationToken.None);
        inFlight.Observe(endpoint.Id, result.Duration);
        DeliveryMetrics.AttemptDuration.Record(result.Duration.TotalSeconds);
        DeliveryMetrics.Attempts.Add(1, new KeyValuePair<string, object?>("outcome", result.Succeeded ? "delivered" : "failed"));
        activity?.SetTag("http.response.status_code", result.StatusCode);
        // Without Redis the failure streak is not tracked: auto-disable waits for it to return.
        var (_, failingSince) = await circuit.TryAsync(() => registry.RecordOutcomeAsync(endpoint.Id, result.Succeeded, at));

        if (result.Succeeded)
        {
            await recorder.RecordAsync(() => store.RecordAttemptAsync(Attempt(delivery, at, result, activity, nextAttemptAt: null), DeliveryStatus.Delivered));
            DeliveryMetrics.Lag.Record((DateTimeOffset.UtcNow - delivery.OccurredAt).TotalSeconds);
            return;
        }
        activity?.SetStatus(ActivityStatusCode.Error, result.Error ?? $"HTTP {result.StatusCode}");
        var outcome = new AttemptOutcome { Number = delivery.Attempt, At = at, StatusCode = result.StatusCode, Error = result.Error, DurationMs = result.Duration.TotalMilliseconds };
        var failure = result.Error ?? $"HTTP {result.StatusCode}";

        var disableReason = result.StatusCode == 410 ? "gone"
            : at - failingSince >= retryOptions.Value.AutoDisableAfter ? "failing"
            : null;
        if (disableReason is not null)
        {
            await recorder.RecordAsync(() => store.RecordAttemptAsync(Attempt(delivery, at, result, activity, nextAttemptAt: null), DeliveryStatus.Failed));
            await DisableAsync(context, endpoint, disableReason, failingSince);
            await Park(context, DeadLetterReasons.EndpointDisabled,
                disableReason == "gone" ? "The endpoint answered 410 Gone and was disabled." : $"The endpoint has failed since {failingSince:u} and was disabled.", outcome);
            return;
        }

        if (result.Error == WebhookSender.BlockedDestination)
        {
            // The guard refuses where the URL leads: retrying will not change that.
            await recorder.RecordAsync(() => store.RecordAttemptAsync(Attempt(delivery, at, result, activity, nextAttemptAt: null), DeliveryStatus.Failed));
            await Park(context, DeadLetterReasons.BlockedDestination, $"{endpoint.Url} leads to an address the SSRF guard refuses.", outcome);
            return;
        }
        if (schedule.WaitAfter(delivery.Attempt, result) is not { } wait)
        {
            await recorder.RecordAsync(() => store.RecordAttemptAsync(Attempt(delivery, at, result, activity, nextAttemptAt: null), DeliveryStatus.Failed));
            await Park(context, DeadLetterReasons.Exhausted, $"All {schedule.MaxAttempts} attempts failed; the last with {failure}.", outcome);
            return;
        }
        var dueAt = DateTimeOffset.UtcNow + wait;
        await recorder.RecordAsync(() => store.RecordAttemptAsync(Attempt(delivery, at, result, activity, dueAt), DeliveryStatus.Failed));
        await ladder.DeferAsync(context, delivery with { Attempt = delivery.Attempt + 1, DueAt = dueAt });
        LogRetryScheduled(delivery.EventId, delivery.EndpointId, delivery.Attempt, failure, dueAt);
    }

    /// <summary>A delivery that came back from a delay tier early hops again; a short rest is waited here.</summary>
    private async Task<bool> IsDueAsync(ConsumeContext<DeliverWebhook> context, DeliverWebhook delivery)
    {
        if (delivery.DueAt is not { } dueAt)
        {
            return true;
        }
        var remaining = dueAt - DateTimeOffset.UtcNow;
        if (remaining >= ladder.Shortest)
        {
            await ladder.DeferAsync(context, delivery);
            return false;
        }
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, context.CancellationToken);
        }
        return true;
    }

    private async Task DisableAsync(ConsumeContext context, WebhookEndpoint endpoint, string reason, DateTimeOffset? failingSince)
    {
        var (_, disabled) = await circuit.TryAsync(() => registry.DisableAsync(endpoint.Id));
        endpoints.Forget(endpoint.Id);
        if (disabled)
        {
            LogDisabled(endpoint.Id, reason);
            await context.Publish(new EndpointDisabled { EndpointId = endpoint.Id, Tenant = endpoint.Tenant, Reason = reason, DisabledAt = DateTimeOffset.UtcNow, FailingSince = failingSince });
        }
    }

    private static DeliveryAttempt Attempt(DeliverWebhook delivery, DateTimeOffset at, SendResult result, Activity? activity, DateTimeOffset? nextAttemptAt) => new()
    {
        DeliveryId = delivery.DeliveryId,
        EventId = delivery.EventId,
        EndpointId = delivery.EndpointId,
        Number = delivery.Attempt,
        At = at,
        Succeeded = result.Succeeded,
        StatusCode = result.StatusCode,
        Error = result.Error,
        DurationMs = result.Duration.TotalMilliseconds,
        ResponseBody = result.ResponseBody,
        TraceId = activity?.TraceId.ToString(),
        NextAttemptAt = nextAttemptAt,
    };

    private Task Park(ConsumeContext<DeliverWebhook> context, string reason, string detail, AttemptOutcome? lastAttempt) =>
        deadLetters.ParkAsync(context, new DeliveryDeadLettered
        {
            Reason = reason,
            Detail = detail,
            EventId = context.Message.EventId,
            Tenant = context.Message.Tenant,
            DeadLetteredAt = DateTimeOffset.UtcNow,
            Delivery = context.Message,
            LastAttempt = lastAttempt,
        });

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} of event {EventId} to endpoint {EndpointId} failed ({Failure}); next at {DueAt:o}")]
    private partial void LogRetryScheduled(string eventId, string endpointId, int attempt, string failure, DateTimeOffset dueAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId} disabled ({Reason})")]
    private partial void LogDisabled(string endpointId, string reason);
}

public sealed class DeliverWebhookConsumerDefinition(IOptions<DispatcherOptions> options)
    : WorkQueueDefinition<DeliverWebhookConsumer>(BusTopology.DeliveryQueue, options.Value.DeliveryConcurrency, options.Value.DeliveryPrefetch);
