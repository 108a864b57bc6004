using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using StackExchange.Redis;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class SecretsAtRestTests(WebhooksSystem system) : HostsOfEachTest, IClassFixture<WebhooksSystem>
{
    protected override WebhooksSystem Shared => system;

    [Fact]
    public async Task Endpoint_secrets_are_encrypted_in_redis_and_a_key_rotation_re_encrypts_them()
    {
        var (id, secret) = await system.CreateEndpointAsync("vault", "https://hooks.example.com/v", ["*"]);
        Task<string> Stored() => system.Redis.StringGetAsync(RedisKeys.Endpoint.Record(id)).ContinueWith(t => t.Result.ToString());

        Assert.DoesNotContain(secret, await Stored());
        Assert.DoesNotContain(secret["whsec_".Length..], await Stored());
        Assert.Contains("enc:v1:test:", await Stored());

        var rotatedIngest = await system.StartIngestAsync(new Dictionary<string, string?>
        {
            ["Webhooks:Secrets:Keys:0"] = "next:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Webhooks:Secrets:Keys:1"] = system.SecretsKey,
        });

        await Eventually.HoldsAsync(Stored, s => s.Contains("enc:v1:next:") && !s.Contains("enc:v1:test:"), "the secret is re-encrypted with the new key");
        var read = (await rotatedIngest.GetFromJsonAsync<EndpointSecretView>($"/v1/endpoints/{id}/secret"))!;
        Assert.Equal(secret, read.Secret);
    }

    [Fact]
    public async Task Custom_header_values_are_encrypted_in_redis_hidden_in_answers_and_sent_as_they_were_given()
    {
        await using var subscriber = await Subscriber.StartAsync();
        var (id, _) = await system.CreateEndpointAsync("vault-headers", subscriber.Url, ["*"],
            new { headers = new Dictionary<string, string> { ["Authorization"] = "Bearer sk_live_abc123", ["x-team"] = "platform-team" } });
        var stored = (string)(await system.Redis.StringGetAsync(RedisKeys.Endpoint.Record(id)))!;
        Assert.DoesNotContain("sk_live_abc123", stored);
        Assert.DoesNotContain("platform-team", stored);

        // The answer as sent, to look for the value anywhere in it, and as the endpoint it shows.
        var answer = await system.Ingest.GetStringAsync($"/v1/endpoints/{id}");
        var shown = JsonSerializer.Deserialize<EndpointView>(answer, JsonSerializerOptions.Web)!;
        Assert.Equal("********", shown.Headers["Authorization"]);
        Assert.DoesNotContain("sk_live_abc123", answer);
        // Sent back as shown, a header keeps its value; the others are replaced.
        (await system.Ingest.PatchAsJsonAsync($"/v1/endpoints/{id}", new { headers = new Dictionary<string, string> { ["Authorization"] = "********", ["x-extra"] = "1" } })).EnsureSuccessStatusCode();
        await system.StartDispatcherAsync();

        await system.PublishAsync("vault-headers", "vault.opened");

        await subscriber.WaitForAsync(1);
        var headers = subscriber.Received.Single().Headers;
        Assert.Equal(("Bearer sk_live_abc123", "1", false), (headers["Authorization"].ToString(), headers["x-extra"].ToString(), headers.ContainsKey("x-team")));
    }

    [Fact]
    public async Task An_endpoint_whose_secret_cannot_be_read_holds_up_only_its_own_deliveries()
    {
        await using var healthy = await Subscriber.StartAsync();
        await using var orphaned = await Subscriber.StartAsync();
        var (lostId, _) = await system.CreateEndpointAsync("keyring", orphaned.Url, ["*"]);
        await system.CreateEndpointAsync("keyring", healthy.Url, ["*"]);
        // As if its secret had been written under a key since dropped from the ring.
        var key = RedisKeys.Endpoint.Record(lostId);
        await system.Redis.StringSetAsync(key, ((string)(await system.Redis.StringGetAsync(key))!).Replace("enc:v1:test:", "enc:v1:dropped:"));
        await system.StartDispatcherAsync();

        await system.PublishAsync("keyring", "vault.opened");

        await healthy.WaitForAsync(1, TimeSpan.FromSeconds(15));
        var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={lostId}"), l => l.Count > 0, "the unreadable endpoint's delivery is dead-lettered"));
        Assert.Equal("secret_unreadable", deadLetter.Reason);
        Assert.Contains("'dropped'", deadLetter.Detail);
        Assert.Empty(orphaned.Received);
    }

    [Fact]
    public async Task Secrets_never_appear_in_the_logs_of_either_host()
    {
        var logs = new CapturedLogs();
        var ingest = await system.StartIngestAsync(services: logs.AddTo);
        await system.StartDispatcherAsync(services: logs.AddTo);
        await using var failing = await Subscriber.StartAsync(_ => 500);
        var created = (await (await ingest.PostAsJsonAsync("/v1/endpoints", new { tenant = "quiet", url = failing.Url, eventTypes = new[] { "*" } })).Content.ReadFromJsonAsync<EndpointView>())!;
        var (id, secret) = (created.Id, created.Secret!);
        var rotated = (await (await ingest.PostAsync($"/v1/endpoints/{id}/secret/rotate", null)).Content.ReadFromJsonAsync<EndpointSecretView>())!.Secret;

        await ingest.PostAsJsonAsync("/v1/events", new { type = "audit.logged", tenant = "quiet", data = new { } });
        await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={id}"), l => l.Count > 0, "the failing delivery is dead-lettered");

        Assert.NotEmpty(logs.Lines);
        foreach (var value in new[] { secret, rotated, secret["whsec_".Length..], rotated["whsec_".Length..], system.AdminKey })
        {
            Assert.DoesNotContain(logs.Lines, line => line.Contains(value, StringComparison.Ordinal));
        }
    }
}
