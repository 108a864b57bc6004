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
public sealed class DispatcherMemoryTests(WebhooksSystemWithoutDispatcher system) : IClassFixture<WebhooksSystemWithoutDispatcher>
{
    [Fact]
    public async Task The_endpoint_cache_forgets_an_endpoint_and_its_secret_once_it_is_not_used()
    {
        var storage = new RedisStorage(system.Redis.Multiplexer, Options.Create(new StorageOptions { KeyPrefix = system.KeyPrefix }));
        var registry = new EndpointRegistry(storage, new SecretProtector(Options.Create(new SecretEncryptionOptions { Keys = [system.SecretsKey] })));
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
