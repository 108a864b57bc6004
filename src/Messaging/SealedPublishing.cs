using MassTransit;
using Webhooks.Contracts;
using Webhooks.Core.Operational;
using Webhooks.Core.SecretsAtRest;

namespace Webhooks.Messaging;

public static class SealedPublishing
{
    /// <summary>Publishes one of the platform's own events, sealed as such (<see cref="OperationalEvents.SealHeader"/>).</summary>
    public static Task PublishSealedAsync(this IPublishEndpoint bus, SecretProtector protector, EventPublished e, CancellationToken cancellationToken = default) =>
        bus.Publish(e, context => context.Headers.Set(OperationalEvents.SealHeader, OperationalEvents.SealOf(protector, e)), cancellationToken);
}
