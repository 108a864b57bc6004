using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Dispatcher.DeadLetters;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.Delivery;

/// <summary>
/// Makes one attempt to deliver an event to an endpoint and records it. Until a retry schedule
/// exists, a failed attempt is the last one: the delivery is dead-lettered as exhausted.
/// </summary>
public sealed class DeliverWebhookConsumer(EndpointRegistry registry, EventStore store, WebhookSender sender, DeadLetterQueue deadLetters) : IConsumer<DeliverWebhook>
{
    public async Task Consume(ConsumeContext<DeliverWebhook> context)
    {
        var delivery = context.Message;
        var endpoint = await registry.GetAsync(delivery.EndpointId);
        if (endpoint is null || !endpoint.Enabled)
        {
            var reason = endpoint is null ? DeadLetterReasons.EndpointDeleted : DeadLetterReasons.EndpointDisabled;
            await Park(context, reason, endpoint is null ? $"Endpoint {delivery.EndpointId} no longer exists." : $"Endpoint {delivery.EndpointId} is disabled.", null);
            return;
        }

        using var activity = DispatcherApplication.Activities.StartActivity("webhook deliver", ActivityKind.Internal);
        activity?.SetTag("webhooks.event.id", delivery.EventId);
        activity?.SetTag("webhooks.endpoint.id", delivery.EndpointId);
        activity?.SetTag("webhooks.delivery.attempt", delivery.Attempt);

        var at = DateTimeOffset.UtcNow;
        // In-flight requests finish on shutdown: only the endpoint's own timeout cuts them short.
        var result = await sender.SendAsync(endpoint, delivery, CancellationToken.None);
        var attempt = new DeliveryAttempt
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
        };
        DeliveryMetrics.AttemptDuration.Record(result.Duration.TotalSeconds);
        DeliveryMetrics.Attempts.Add(1, new KeyValuePair<string, object?>("outcome", result.Succeeded ? "delivered" : "failed"));
        activity?.SetTag("http.response.status_code", result.StatusCode);
        if (result.Succeeded)
        {
            await store.RecordAttemptAsync(attempt, DeliveryStatus.Delivered);
            DeliveryMetrics.Lag.Record((DateTimeOffset.UtcNow - delivery.OccurredAt).TotalSeconds);
            return;
        }
        activity?.SetStatus(ActivityStatusCode.Error, result.Error ?? $"HTTP {result.StatusCode}");
        await store.RecordAttemptAsync(attempt, DeliveryStatus.Failed);
        await Park(context, DeadLetterReasons.Exhausted, $"Attempt {attempt.Number} failed ({result.Error ?? $"HTTP {result.StatusCode}"}) and no retry is scheduled.",
            new AttemptOutcome { Number = attempt.Number, At = at, StatusCode = result.StatusCode, Error = result.Error, DurationMs = attempt.DurationMs });
    }

    private Task Park(ConsumeContext<DeliverWebhook> context, string reason, string detail, AttemptOutcome? lastAttempt)
    {
        return deadLetters.ParkAsync(context, new DeliveryDeadLettered
        {
            Reason = reason,
            Detail = detail,
            EventId = context.Message.EventId,
            Tenant = context.Message.Tenant,
            DeadLetteredAt = DateTimeOffset.UtcNow,
            Delivery = context.Message,
            LastAttempt = lastAttempt,
        });
    }
}

public sealed class DeliverWebhookConsumerDefinition : ConsumerDefinition<DeliverWebhookConsumer>
{
    private readonly DispatcherOptions _options;

    public DeliverWebhookConsumerDefinition(IOptions<DispatcherOptions> options)
    {
        _options = options.Value;
        EndpointName = BusTopology.DeliveryQueue;
        ConcurrentMessageLimit = _options.DeliveryConcurrency;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<DeliverWebhookConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.ConfigureQuorumEndpoint(_options.DeliveryPrefetch);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000));
    }
}
