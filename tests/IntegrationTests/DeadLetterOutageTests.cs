using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Contracts;
using Webhooks.Core.DeadLetters;
using Webhooks.IntegrationTests.Infrastructure;
using Webhooks.Messaging;

namespace Webhooks.IntegrationTests;

[Collection(BrokerRestarts.Name)]
public sealed class DeadLetterOutageTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task A_dead_letter_parked_while_redis_is_away_reaches_the_api_once_redis_is_back()
    {
        // Redis calls give up after a second here, so that the old fast retries (five tries) ran out well within the outage.
        var dispatcher = await system.StartDispatcherAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = system.Servers.Redis + ",asyncTimeout=1000,syncTimeout=1000",
            ["Webhooks:Retries:RedisAwayWait"] = "00:00:01",
        });
        var bus = dispatcher.Services.GetRequiredService<IBus>();
        var parked = new DeliveryDeadLettered
        {
            Reason = DeadLetterReasons.InvalidEvent,
            Detail = "parked during the outage",
            EventId = "evt_parkedduringoutage",
            Tenant = "outage-dl",
            DeadLetteredAt = DateTimeOffset.UtcNow,
            Event = new EventPublished { EventId = "evt_parkedduringoutage", Type = "x", Tenant = "outage-dl" },
        };

        var outage = await system.Servers.BeginRedisPauseAsync(TimeSpan.FromSeconds(15));
        await (await bus.GetSendEndpoint(Queues.DeadLetterAddress)).Send(parked);
        await outage;

        var listed = await Eventually.HoldsAsync(() => system.DeadLettersAsync("tenant=outage-dl"), l => l.Count > 0, "the dead letter is indexed", TimeSpan.FromSeconds(30));
        Assert.Equal("parked during the outage", Assert.Single(listed).Detail);
        Assert.Equal(0u, await ErrorQueueDepthAsync());
    }

    /// <summary>MassTransit declares the <c>_error</c> queue when a first message faults: none at all counts as empty.</summary>
    private async Task<uint> ErrorQueueDepthAsync()
    {
        try
        {
            return await system.QueueDepthAsync(Queues.DeadLetter + "_error");
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }
}
