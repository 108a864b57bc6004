using System.Text.Json;
using Webhooks.Core.Deliveries;

// The platform's own command between its hosts, not a contract for publishers: it keeps the namespace it had when it lived
// in Contracts, because MassTransit names a message on the wire by it (urn:message:Webhooks.Contracts:DeliverWebhook), and
// messages waiting in the delay tiers (hours) must still be consumed across an upgrade. Pinned by a unit test.
namespace Webhooks.Contracts;

/// <summary>Deliver one event to one endpoint: one (event, endpoint) pair, retried on its own.</summary>
public sealed record DeliverWebhook
{
    /// <summary>The delivery id (<c>dlv_…</c>).</summary>
    public required string DeliveryId { get; init; }

    /// <summary>The endpoint to deliver to.</summary>
    public required string EndpointId { get; init; }

    /// <summary>The event id, sent as <c>webhook-id</c>.</summary>
    public required string EventId { get; init; }

    /// <summary>The event type.</summary>
    public required string Type { get; init; }

    /// <summary>The event's tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>When the event happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The event payload, if any.</summary>
    public JsonElement? Data { get; init; }

    /// <summary>The event's resource URL, if any.</summary>
    public string? Resource { get; init; }

    /// <summary>The number of the attempt this message asks for in its retry schedule, starting at 1.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>
    /// Attempts the delivery made before this schedule began (a redrive or a resend starts a new
    /// schedule and goes on counting): the attempt's number in its history is this plus <see cref="Attempt"/>.
    /// </summary>
    public int EarlierAttempts { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public int Number => EarlierAttempts + Attempt;

    /// <summary>The delivery of a stored event to an endpoint, as fan-out queues it and a requeue sends it again.</summary>
    public static DeliverWebhook Of(Core.Events.StoredEvent stored, string endpointId, string deliveryId) => new()
    {
        DeliveryId = deliveryId,
        EndpointId = endpointId,
        EventId = stored.Id,
        Type = stored.Type,
        Tenant = stored.Tenant,
        OccurredAt = stored.OccurredAt,
        Data = stored.Data,
        Resource = stored.Resource,
        Test = stored.Test,
    };

    /// <summary>
    /// The W3C <c>traceparent</c> of the span a delivery back from the delay tiers links to: the
    /// delivery's first attempt for a retry, else the span that deferred it. Waiting in the tiers
    /// ends a trace, so a retry hours later is a trace of its own, linked to where it began.
    /// </summary>
    public string? TraceLink { get; init; }

    /// <summary>Not before: a retry (or a deferred delivery) waits in the delay tiers until then.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>
    /// The retry chain this message belongs to (<see cref="DeliveryRecord.Chain"/>): null for the chain fan-out
    /// starts, a new one for each resend, redrive, recover or replay; a copy of a chain that was replaced is dropped.
    /// </summary>
    public string? Chain { get; init; }

    /// <summary>A new chain's id: short, random, unique per delivery in practice.</summary>
    public static string NewChain() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();

    /// <summary>A test event (<c>POST /v1/endpoints/{id}/test</c>): one attempt, never retried nor dead-lettered.</summary>
    public bool Test { get; init; }

    /// <summary>Whether this copy has been anywhere a newer chain could have replaced it meanwhile: waited in the tiers, or was sent again.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool MayBeSuperseded => Attempt > 1 || DueAt is not null || Chain is not null;
}
