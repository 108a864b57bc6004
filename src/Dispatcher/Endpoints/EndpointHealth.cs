using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Operational;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.Endpoints;

/// <summary>An endpoint's run of failures, and switching it off when <c>RetryPolicy</c> says so (410 Gone, or failing too long).</summary>
public sealed partial class EndpointHealth(EndpointRegistry registry, FailureStreaks streaks, EndpointCache endpoints, FailingEndpoints failing, RedisCircuit circuit, SecretProtector protector, TimeProvider clock,
    IOptions<BrokerOptions> broker, ILogger<EndpointHealth> logger)
{
    /// <summary>Notes a failed attempt; returns since when the endpoint has failed without a success (null while Redis is away: auto-disable waits for it).</summary>
    public async Task<DateTimeOffset?> RecordFailureAsync(string endpointId, DateTimeOffset at)
    {
        var since = (await circuit.TryAsync(() => streaks.RecordOutcomeAsync(endpointId, succeeded: false, at))).Value;
        failing.Failed(endpointId, since ?? at);
        return since;
    }

    /// <summary>Notes a successful attempt here; its record ends the run of failures in Redis (<c>AttemptRecording</c>).</summary>
    public void Recovered(string endpointId) => failing.Recovered(endpointId);

    /// <summary>Switches the endpoint off and announces it with <see cref="EndpointDisabled"/> (once, whichever dispatcher gets there first).</summary>
    public async Task DisableAsync(ConsumeContext context, WebhookEndpoint endpoint, string why, DateTimeOffset? failingSince)
    {
        var at = clock.GetUtcNow();
        var (_, disabled) = await circuit.TryAsync(() => registry.DisableAsync(endpoint.Id, why, at));
        endpoints.Forget(endpoint.Id);
        failing.Recovered(endpoint.Id);
        if (disabled)
        {
            LogDisabled(endpoint.Id, why);
            DispatcherTelemetry.EndpointsDisabled.Add(1, DispatcherTelemetry.Tag("reason", why));
            await context.Publish(new EndpointDisabled { EndpointId = endpoint.Id, Tenant = endpoint.Tenant, Reason = why, DisabledAt = at, FailingSince = failingSince }).Confirmed(broker.Value);
            await context.PublishSealedAsync(protector, OperationalEvents.Create(endpoint.Tenant, OperationalEvents.EndpointDisabled,
                new { EndpointId = endpoint.Id, Url = RedactedUrl.Of(endpoint.Url), endpoint.Description, Reason = why, FailingSince = failingSince, DisabledAt = at }, at)).Confirmed(broker.Value);
        }
    }

    /// <summary>Announces, once per run of failures, an endpoint failing for longer than <paramref name="after"/>, and when it will be disabled.</summary>
    public async Task AnnounceFailingAsync(ConsumeContext context, WebhookEndpoint endpoint, DateTimeOffset failingSince, TimeSpan after, TimeSpan disabledAfter)
    {
        var now = clock.GetUtcNow();
        if (now - failingSince < after || !(await circuit.TryAsync(() => streaks.TryAnnounceAsync(endpoint.Id))).Value)
        {
            return;
        }
        await context.PublishSealedAsync(protector, OperationalEvents.Create(endpoint.Tenant, OperationalEvents.EndpointFailing,
            new { EndpointId = endpoint.Id, Url = RedactedUrl.Of(endpoint.Url), endpoint.Description, FailingSince = failingSince, DisabledAt = failingSince + disabledAfter }, now)).Confirmed(broker.Value);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId} disabled ({Reason})")]
    private partial void LogDisabled(string endpointId, string reason);
}
