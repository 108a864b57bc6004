using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class HostileSubscriberTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    [Fact]
    public async Task Hostile_subscribers_become_failed_attempts_with_bounded_reads_while_a_healthy_endpoint_keeps_receiving()
    {
        await using var hostile = await HostileSubscriber.StartAsync();
        await using var healthy = await Subscriber.StartAsync();
        var cases = new Dictionary<string, string>
        {
            ["huge"] = hostile.Huge,
            ["trickle"] = $"{hostile.Http}/trickle",
            ["endless"] = $"{hostile.Http}/endless",
            ["reset"] = $"{hostile.Http}/reset",
            ["tls"] = $"{hostile.Https}/tls",
        };
        var endpoints = new Dictionary<string, string>();
        foreach (var (name, url) in cases)
        {
            endpoints[name] = (await system.CreateEndpointAsync("hostile", url, [$"{name}.*"], new { timeoutSeconds = 2 })).Id;
        }
        await system.CreateEndpointAsync("hostile", healthy.Url, ["healthy.*"]);

        var events = new Dictionary<string, string>();
        foreach (var name in cases.Keys)
        {
            events[name] = await system.PublishAsync("hostile", $"{name}.sent");
        }
        var healthyIds = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            healthyIds.Add(await system.PublishAsync("hostile", "healthy.sent", new { i }));
        }

        // The healthy endpoint gets everything while the hostile ones are still being retried.
        await healthy.WaitForAsync(healthyIds.Count);
        Assert.Equal(healthyIds.ToHashSet(), healthy.Received.Select(r => r.Id).ToHashSet());
        var trickleView = await system.GetEventAsync(events["trickle"]);
        Assert.NotEqual("dead_lettered", trickleView.Deliveries[0].Status);

        var expected = new Dictionary<string, (int? Status, string? Error)>
        {
            ["huge"] = (500, null),
            ["trickle"] = (null, "timeout"),
            ["endless"] = (503, null),
            ["reset"] = (null, null),
            ["tls"] = (null, "tls_error"),
        };
        foreach (var (name, (status, error)) in expected)
        {
            var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpoints[name]}"), l => l.Count > 0, $"the {name} delivery is dead-lettered", TimeSpan.FromSeconds(60)));
            var attempts = (await system.GetEventAsync(events[name])).Deliveries[0].Attempts;
            Assert.Equal(4, attempts.Count);
            Assert.All(attempts, a => Assert.False(a.Succeeded));
            var last = deadLetter.LastAttempt!;
            if (status is not null)
            {
                Assert.Equal(status, last.StatusCode);
            }
            else
            {
                Assert.NotNull(last.Error);
            }
            if (error is not null)
            {
                Assert.Equal(error, last.Error);
            }
            Assert.All(attempts, a => Assert.True(a.ResponseBody is null || a.ResponseBody.Length <= 4096));
        }
        // Four attempts at a 100 MB body would move 400 MB if read: each read stops at 68 KiB and the
        // connection is closed, so the subscriber gets rid of little more than that and the socket buffers.
        Assert.True(hostile.HugeBytesWritten < 4 * 1024 * 1024, $"the subscriber sent {hostile.HugeBytesWritten / 1024} KiB");
    }
}
