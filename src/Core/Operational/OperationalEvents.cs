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

    public static EventPublished Create(string tenant, string type, object data, DateTimeOffset at) => new()
    {
        EventId = SortableId.New("evt"),
        Type = type,
        Tenant = tenant,
        OccurredAt = at,
        Data = JsonSerializer.SerializeToElement(data, WebhooksJson.Options),
    };
}
