using System.Text;
using System.Text.Json;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Dispatcher.Deliveries;

namespace Webhooks.UnitTests;

public sealed class WebhookPayloadTests
{
    private static readonly DeliverWebhook Delivery = new()
    {
        DeliveryId = "dlv_1",
        EndpointId = "ep_1",
        EventId = "evt_1",
        Type = "order.created",
        Tenant = "acme",
        OccurredAt = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.FromHours(2)),
        Data = JsonDocument.Parse("{\"orderId\":42}").RootElement,
        Resource = "https://api.example.com/orders/42",
    };

    [Fact]
    public void A_full_payload_carries_the_envelope_and_the_data()
    {
        var body = Encoding.UTF8.GetString(WebhookPayload.Render(Delivery, PayloadMode.Full));

        Assert.Equal("{\"id\":\"evt_1\",\"type\":\"order.created\",\"timestamp\":\"2026-11-28T08:00:00Z\",\"tenant\":\"acme\",\"data\":{\"orderId\":42},\"resource\":\"https://api.example.com/orders/42\"}", body);
    }

    [Fact]
    public void A_thin_payload_leaves_the_data_out()
    {
        using var body = JsonDocument.Parse(WebhookPayload.Render(Delivery, PayloadMode.Thin));

        Assert.False(body.RootElement.TryGetProperty("data", out _));
        Assert.Equal("https://api.example.com/orders/42", body.RootElement.GetProperty("resource").GetString());
    }

    [Fact]
    public void A_thin_payload_carries_its_data_link_and_a_full_one_never_does()
    {
        using var thin = JsonDocument.Parse(WebhookPayload.Render(Delivery, PayloadMode.Thin, "https://hooks.example.com/v1/events/evt_1/data?endpoint=ep_1"));
        using var full = JsonDocument.Parse(WebhookPayload.Render(Delivery, PayloadMode.Full, "https://hooks.example.com/v1/events/evt_1/data?endpoint=ep_1"));

        Assert.Equal("https://hooks.example.com/v1/events/evt_1/data?endpoint=ep_1", thin.RootElement.GetProperty("links").GetProperty("data").GetString());
        Assert.False(thin.RootElement.TryGetProperty("data", out _));
        Assert.False(full.RootElement.TryGetProperty("links", out _));
    }

    [Fact]
    public void Ids_sort_by_creation_time_and_a_message_id_always_gives_the_same_event_id()
    {
        var first = SortableId.New("evt");
        var second = SortableId.New("evt");
        var guid = Guid.NewGuid();

        // The first ten characters after the prefix are the milliseconds; the rest is random.
        Assert.True(string.CompareOrdinal(first[..14], second[..14]) <= 0);
        Assert.NotEqual(first, second);
        Assert.Matches("^evt_[0-9a-z]{26}$", first);
        Assert.Equal(SortableId.FromGuid("evt", guid), SortableId.FromGuid("evt", guid));
    }
}
