using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Core.Endpoints;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Core.Storage;
using Webhooks.Dispatcher.Degraded;
using Webhooks.Dispatcher.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>What a dispatcher keeps per endpoint in memory is bounded, and forgets deleted endpoints' secrets.</summary>
public sealed class DispatcherMemoryTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    [Fact]
    public async Task The_endpoint_cache_forgets_an_endpoint_and_its_secret_once_it_is_not_used()
    {
        var registry = system.Service<EndpointRegistry>();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new EndpointCache(registry, new RedisCircuit(NullLogger<RedisCircuit>.Instance), clock);
        var (deleted, _) = await system.CreateEndpointAsync("memory", "https://hooks.example.com/gone", ["*"]);
        var (kept, _) = await system.CreateEndpointAsync("memory", "https://hooks.example.com/kept", ["*"]);

        Assert.NotNull((await cache.GetAsync(deleted)).Endpoint?.Secret);
        await system.Ingest.DeleteAsync($"/v1/endpoints/{deleted}");
        clock.Advance(EndpointCache.Idle + TimeSpan.FromSeconds(1));
        await cache.GetAsync(kept);

        Assert.Equal(1, cache.Count);
    }
}

/// <summary>The rate-limit arithmetic holds for any rate, even one the API would refuse today.</summary>
public sealed class GcraBoundsTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    [Theory]
    [InlineData(1e-9, 5)]
    [InlineData(1e-300, int.MaxValue)]
    [InlineData(double.NaN, 1)]
    public async Task A_rate_too_small_to_compute_is_the_slowest_rate_instead(double perSecond, int burst)
    {
        var key = RedisKeys.Endpoint.RateCell($"ep_bounds{Guid.NewGuid():N}");

        var first = await Webhooks.Core.Storage.GcraScript.RunAsync(system.Redis, key, perSecond, burst);
        var second = await Webhooks.Core.Storage.GcraScript.RunAsync(system.Redis, key, perSecond, 1);

        Assert.Equal(TimeSpan.Zero, first);
        Assert.InRange(second, TimeSpan.Zero, TimeSpan.FromDays(366));
    }
}
