using System.Net.Http.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core.Endpoints;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class AutoDisableTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task Failures_and_successes_racing_never_make_a_streak_older_than_the_first_failure()
    {
        // Found by the fault suite: a success clearing the streak between the failure's write and its read left
        // a missing value, read as 0 — "failing since 1970" — and the endpoint was disabled at once.
        var failures = system.Service<FailureStreaks>();
        var started = DateTimeOffset.UtcNow;

        var streaks = new List<DateTimeOffset?>();
        for (var round = 0; round < 200; round++)
        {
            // A failure and a success at once, as two dispatchers' attempts to one endpoint.
            streaks.AddRange(await Task.WhenAll(failures.RecordOutcomeAsync("ep_racing", succeeded: false, DateTimeOffset.UtcNow), failures.RecordOutcomeAsync("ep_racing", succeeded: true, DateTimeOffset.UtcNow)));
        }

        Assert.All(streaks.Where(s => s is not null), since => Assert.True(since >= started.AddMilliseconds(-1), $"failing since {since:o}, before the first failure at {started:o}"));
    }

    [Fact]
    public async Task A_delivered_webhook_ends_the_endpoints_run_of_failures_and_a_test_events_success_does_not()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (endpointId, _) = await system.CreateEndpointAsync("mended", subscriber.Url, ["*"]);
        var dispatcher = await system.StartDispatcherAsync();
        await system.Service<FailureStreaks>().RecordOutcomeAsync(endpointId, succeeded: false, DateTimeOffset.UtcNow.AddHours(-1));
        var failingSince = RedisKeys.Endpoint.FailingSince(endpointId);

        (await system.Ingest.PostAsJsonAsync($"/v1/endpoints/{endpointId}/test", new { type = "pump.tested" })).EnsureSuccessStatusCode();
        await subscriber.WaitForAsync(1);
        await Eventually.HoldsAsync(async () => (await system.Ingest.GetFromJsonAsync<AttemptPage>($"/v1/endpoints/{endpointId}/attempts"))!.Data.Count,
            n => n == 1, "the test's attempt is recorded");
        Assert.True(await system.Redis.KeyExistsAsync(failingSince), "a test event's success says nothing of the endpoint's health");

        await system.PublishAsync("mended", "pump.started");
        await subscriber.WaitForAsync(2);
        await Eventually.HoldsAsync(() => system.Redis.KeyExistsAsync(failingSince), exists => !exists, "the delivery's record ends the run of failures");
        await system.StopAsync(dispatcher);
    }

    [Fact]
    public async Task An_endpoint_failing_for_longer_than_the_auto_disable_period_is_disabled_and_announced_on_the_bus()
    {
        var announced = new TaskCompletionSource<EndpointDisabled>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (user, password) = (system.RabbitMq.UserInfo.Split(':')[0], system.RabbitMq.UserInfo.Split(':')[1]);
        var listener = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(system.RabbitMq.Host, (ushort)system.RabbitMq.Port, system.VirtualHost, h =>
            {
                h.Username(Uri.UnescapeDataString(user));
                h.Password(Uri.UnescapeDataString(password));
            });
            cfg.ReceiveEndpoint("test-endpoint-disabled", e => e.Handler<EndpointDisabled>(context =>
            {
                announced.TrySetResult(context.Message);
                return Task.CompletedTask;
            }));
        });
        await listener.StartAsync();
        try
        {
            await system.StartDispatcherAsync(new Dictionary<string, string?> { ["Webhooks:Retries:AutoDisableAfter"] = "00:00:00.300" });
            await using var subscriber = await Subscriber.StartAsync(_ => 503);
            var (endpointId, _) = await system.CreateEndpointAsync("flaky", subscriber.Url, ["*"]);

            await system.PublishAsync("flaky", "sensor.read");

            var disabled = await announced.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal((endpointId, "flaky", "failing"), (disabled.EndpointId, disabled.Tenant, disabled.Reason));
            var endpoint = (await system.Ingest.GetFromJsonAsync<EndpointView>($"/v1/endpoints/{endpointId}"))!;
            Assert.False(endpoint.Enabled);
            var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), l => l.Count > 0, "the delivery is dead-lettered"));
            Assert.Equal("endpoint_disabled", deadLetter.Reason);
            Assert.InRange(subscriber.Received.Count, 2, 3); // disabled before the schedule ran out
        }
        finally
        {
            await listener.StopAsync();
        }
    }
}
