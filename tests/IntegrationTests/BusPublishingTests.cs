using MassTransit;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.Events;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>Upstream services that publish <see cref="EventPublished"/> on the bus themselves, without HTTP.</summary>
public sealed class BusPublishingTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>, IAsyncLifetime
{
    private IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        var (user, password) = (Uri.UnescapeDataString(system.RabbitMq.UserInfo.Split(':')[0]), Uri.UnescapeDataString(system.RabbitMq.UserInfo.Split(':')[1]));
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(system.RabbitMq.Host, (ushort)system.RabbitMq.Port, system.VirtualHost, h =>
        {
            h.Username(user);
            h.Password(password);
        }));
        await _bus.StartAsync();
    }

    public Task DisposeAsync() => _bus.StopAsync();

    [Fact]
    public async Task A_bus_published_event_without_an_id_is_delivered_once_even_when_the_message_arrives_twice()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (_, secret) = await system.CreateEndpointAsync("upstream", subscriber.Url, ["stock.*"]);
        var messageId = NewId.NextGuid();
        var message = new EventPublished { Type = "stock.low", Tenant = "upstream", Data = System.Text.Json.JsonSerializer.SerializeToElement(new { sku = "A-1" }) };

        await _bus.Publish(message, context => context.MessageId = messageId);
        await _bus.Publish(message, context => context.MessageId = messageId);

        await subscriber.WaitForAsync(1);
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-fan-out"), d => d == 0, "the fan-out queue is empty");
        await Eventually.HoldsAsync(() => system.QueueDepthAsync("webhooks-delivery"), d => d == 0, "the delivery queue is empty");
        var received = Assert.Single(subscriber.Received);
        Assert.Equal(SortableId.FromGuid("evt", messageId), received.Id);
        Assert.True(received.VerifiesWith(secret));
        var view = await system.GetEventAsync(received.Id);
        Assert.Equal("stock.low", view.Type);
    }

    [Fact]
    public async Task A_bus_published_event_said_to_be_kept_already_is_kept_and_listed_all_the_same()
    {
        await using var subscriber = await Subscriber.StartAsync();
        await system.CreateEndpointAsync("upstream-kept", subscriber.Url, ["stock.*"]);

        // The header Ingest sets on what it kept itself; a bus publisher that copies it keeps nothing by it.
        await _bus.Publish(new EventPublished { EventId = "evt_saidkept1", Type = "stock.high", Tenant = "upstream-kept", Data = System.Text.Json.JsonSerializer.SerializeToElement(new { sku = "B-2" }) },
            context => context.Headers.Set(EventHeaders.Kept, EventHeaders.KeptValue));

        await subscriber.WaitForAsync(1);
        Assert.Equal("evt_saidkept1", Assert.Single(subscriber.Received).Id);
        Assert.Equal("stock.high", (await system.GetEventAsync("evt_saidkept1")).Type);
        var listed = await system.Ingest.GetStringAsync("/v1/events?tenant=upstream-kept");
        Assert.Contains("evt_saidkept1", listed);
    }

    [Fact]
    public async Task A_bus_published_event_of_a_reserved_type_is_dead_lettered_and_never_delivered_while_the_platforms_own_are()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("upstream-forger", subscriber.Url, ["webhooks.*"]);
        await _bus.Publish(new EventPublished
        {
            EventId = "evt_forged1", Type = "webhooks.endpoint.disabled", Tenant = "upstream-forger",
            Data = System.Text.Json.JsonSerializer.SerializeToElement(new { endpointId = "ep_of_another_tenant" }),
        });

        var deadLetter = await Eventually.HoldsAsync(() => system.DeadLettersAsync("reason=invalid_event"), l => l.Any(d => d.EventId == "evt_forged1"), "the forgery is dead-lettered");
        Assert.Contains("platform's own", deadLetter.Single(d => d.EventId == "evt_forged1").Detail);
        // The platform's own, sealed, still arrive: switching the endpoint off and on announces it.
        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null)).EnsureSuccessStatusCode();
        (await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/enable", null)).EnsureSuccessStatusCode();
        await subscriber.WaitForAsync(1);
        Assert.Equal("webhooks.endpoint.enabled", Assert.Single(subscriber.Received).Json.GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_invalid_bus_published_event_is_dead_lettered_not_dropped()
    {
        await _bus.Publish(new EventPublished { EventId = "evt_invalid1", Type = "Stock Low!", Tenant = "upstream", Data = System.Text.Json.JsonSerializer.SerializeToElement(new { }) });

        var deadLetters = await Eventually.HoldsAsync(() => system.DeadLettersAsync("tenant=upstream&reason=invalid_event"), l => l.Count > 0, "the invalid event is dead-lettered");

        var deadLetter = Assert.Single(deadLetters);
        Assert.Equal("invalid_event", deadLetter.Reason);
        Assert.Equal("evt_invalid1", deadLetter.EventId);
        Assert.Contains("not an event type", deadLetter.Detail);
        Assert.Equal("Stock Low!", deadLetter.Event!.Type);
    }
}
