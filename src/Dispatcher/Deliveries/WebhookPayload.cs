using System.Text.Json;
using Webhooks.Contracts;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;

namespace Webhooks.Dispatcher.Deliveries;

/// <summary>
/// The body a subscriber receives: the event envelope, with its data (full), or thin: without it,
/// with the producer's resource URL when given and a signed link to fetch the data (<c>links.data</c>).
/// </summary>
public static class WebhookPayload
{
    public static byte[] Render(DeliverWebhook delivery, string payloadMode, string? dataLink = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", delivery.EventId);
            json.WriteString("type", delivery.Type);
            json.WriteString("timestamp", delivery.OccurredAt.UtcDateTime);
            json.WriteString("tenant", delivery.Tenant);
            if (payloadMode != PayloadMode.Thin && delivery.Data is { ValueKind: JsonValueKind.Object } data)
            {
                json.WritePropertyName("data");
                data.WriteTo(json);
            }
            if (delivery.Resource is not null)
            {
                json.WriteString("resource", delivery.Resource);
            }
            if (payloadMode == PayloadMode.Thin && dataLink is not null)
            {
                json.WriteStartObject("links");
                json.WriteString("data", dataLink);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
