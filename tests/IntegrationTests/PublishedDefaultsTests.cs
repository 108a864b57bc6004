using Microsoft.Extensions.Options;
using Webhooks.Core.SecretsAtRest;
using Webhooks.Hosting;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class PublishedDefaultsTests
{
    private static async Task<PlatformHosts> HostsAsync(string environment, Dictionary<string, string?> settings)
    {
        var servers = await TestServers.GetAsync();
        var name = $"defaults-{Guid.NewGuid():N}";
        return new PlatformHosts(servers.ConnectionString(await servers.CreateVirtualHostAsync(name)), servers.Redis, name + ":", settings, environment);
    }

    [Fact]
    public async Task Outside_development_a_host_refuses_to_start_with_the_keys_printed_in_docker_compose()
    {
        var withAdminKey = await HostsAsync("Production", new() { ["Webhooks:Auth:AdminKey"] = PublishedDefaults.AdminKey });
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => withAdminKey.StartIngestAsync());
        Assert.Contains("docker-compose.yml", refused.Message);

        var withSecretsKey = await HostsAsync("Production", new() { ["Webhooks:Secrets:Keys:0"] = "compose:" + PublishedDefaults.SecretsKeyMaterial });
        Assert.Contains("docker-compose.yml", (await Assert.ThrowsAsync<OptionsValidationException>(() => withSecretsKey.StartIngestAsync())).Message);
        Assert.Contains("docker-compose.yml", (await Assert.ThrowsAsync<OptionsValidationException>(() => withSecretsKey.StartDispatcherAsync())).Message);
    }

    [Theory]
    [InlineData("CHANGE-ME")] // deploy/k8s's placeholder
    [InlineData("whk_admin_…")] // the docs'
    [InlineData("whk_admin_please_change_me_before_going_to_production_x")]
    [InlineData("whk_admin_0123456789abcdef")] // shorter than a generated key
    public async Task Outside_development_ingest_refuses_an_admin_key_that_is_a_placeholder_or_shorter_than_a_generated_one(string adminKey)
    {
        var hosts = await HostsAsync("Production", new() { ["Webhooks:Auth:AdminKey"] = adminKey });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => hosts.StartIngestAsync());

        Assert.Contains("Webhooks:Auth:AdminKey", refused.Message);
        Assert.Contains("openssl rand -hex 16", refused.Message);
        if (adminKey.Length > 20)
        {
            Assert.DoesNotContain(adminKey, refused.Message);
        }
    }

    [Fact]
    public async Task In_development_the_compose_defaults_are_accepted()
    {
        var hosts = await HostsAsync("Development", new()
        {
            ["Webhooks:Auth:AdminKey"] = PublishedDefaults.AdminKey,
            ["Webhooks:Secrets:Keys:0"] = "compose:" + PublishedDefaults.SecretsKeyMaterial,
        });
        await using var ingest = await hosts.StartIngestAsync();
        using var client = WebhooksSystem.Client(ingest.Urls.Single(), PublishedDefaults.AdminKey);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/v1/api-keys")).StatusCode);
        await ingest.StopAsync();
    }
}
