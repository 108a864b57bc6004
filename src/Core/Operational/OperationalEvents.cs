using System.Text.Json;
using Webhooks.Contracts;

namespace Webhooks.Core.Operational;

/// <summary>
/// The platform's own events about a tenant's endpoints and deliveries, published into that tenant's
/// stream and delivered like any other event — signed the same way, to the tenant's endpoints that
/// subscribe to them (<c>webhooks.*</c>, or one type; <c>*</c> alone does not include them), never to
/// another tenant's. Their types are reserved: Ingest refuses events that claim one.
/// </summary>
public static class OperationalEvents
{
    public const string Prefix = "webhooks.";
    public const string EndpointDisabled = "webhooks.endpoint.disabled";
    public const string EndpointEnabled = "webhooks.endpoint.enabled";
    public const string EndpointFailing = "webhooks.endpoint.failing";
    public const string DeliveryDeadLettered = "webhooks.delivery.dead_lettered";
    public const string DeliveryRecovered = "webhooks.delivery.recovered";

    public static bool IsOperational(string eventType) => eventType.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// The header that marks an event published on the bus as the platform's own: a seal (<see cref="SecretsAtRest.SecretProtector.Seal"/>)
    /// of its id, type and tenant. Fan-out dead-letters an event of a reserved type without it as <c>invalid_event</c>:
    /// a service on the bus cannot speak for the platform any more than one calling the API can.
    /// </summary>
    public const string SealHeader = "Webhooks-Operational-Seal";

    private const string SealPurpose = "operational-event";

    public static string SealOf(SecretsAtRest.SecretProtector protector, EventPublished e) => protector.Seal(SealPurpose, Sealed(e.EventId, e.Type, e.Tenant));

    public static bool IsSealed(SecretsAtRest.SecretProtector protector, string eventId, string type, string tenant, string? seal) =>
        protector.IsSealed(SealPurpose, Sealed(eventId, type, tenant), seal);

    private static string Sealed(string? eventId, string type, string tenant) => $"{eventId}\n{type}\n{tenant}";

    public static EventPublished Create(string tenant, string type, object data, DateTimeOffset at) => new()
    {
        EventId = SortableId.New("evt"),
        Type = type,
        Tenant = tenant,
        OccurredAt = at,
        Data = JsonSerializer.SerializeToElement(data, WebhooksJson.Options),
    };
}
