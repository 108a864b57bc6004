using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>
/// What goes between our hosts on the broker. A class of its own: its event stays stored and its queue is read here,
/// where no other test counts what is stored or queued (EventIngestTests asserts that a refused event stores nothing).
/// </summary>
public sealed class BusMessageFormatTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    [Fact]
    public async Task An_accepted_event_goes_to_the_broker_as_compact_json_with_its_ids_and_types_but_not_the_senders_description()
    {
        var id = await system.PublishAsync("compact-" + Guid.NewGuid().ToString("N")[..8], "order.created", new { orderId = "o-1", items = new[] { new { sku = "a" } } });

        // Taken off the queue, where it waits (no dispatcher runs here).
        await using var connection = await new ConnectionFactory { Uri = system.RabbitMq }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var message = await channel.BasicGetAsync("webhooks-fan-out", autoAck: true);
        Assert.NotNull(message);
        var body = Encoding.UTF8.GetString(message.Body.Span);
        Assert.Contains(id, body);
        Assert.DoesNotContain('\n', body);
        Assert.Equal("o-1", JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("orderId").GetString());
        var headers = message.BasicProperties.Headers!;
        Assert.Equal("urn:message:Webhooks.Contracts:EventPublished", Encoding.UTF8.GetString((byte[])headers["MT-MessageType"]!));
        Assert.True(headers.ContainsKey("MessageId"), "the message's id travels with it");
        Assert.True(headers.ContainsKey("Webhooks-Event-Kept"), "Ingest's own headers are kept");
        Assert.False(headers.ContainsKey("MT-Host-Info"), "the sending host's description is left out");
        Assert.False(headers.ContainsKey("MT-Source-Address"), "the sender's temporary queue is left out");
    }
}
