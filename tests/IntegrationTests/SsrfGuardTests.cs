using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Core.Destinations;
using Webhooks.Ingest.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>A system whose dispatcher resolves names through a resolver the tests script.</summary>
public sealed class ScriptedDnsSystem : WebhooksSystemWithDispatcher
{
    public ScriptedResolver Resolver { get; } = new();

    protected override void ConfigureDispatcher(IServiceCollection services) => services.AddSingleton<IDestinationResolver>(Resolver);
}

/// <summary>A resolver whose answers a test scripts per host name, counting its calls.</summary>
public sealed class ScriptedResolver : IDestinationResolver
{
    public ConcurrentDictionary<string, Func<int, IPAddress[]>> Answers { get; } = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var call = _calls.AddOrUpdate(host, 0, (_, n) => n + 1);
        return Task.FromResult(Answers.TryGetValue(host, out var answer) ? answer(call) : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));
    }
}

/// <summary>The SSRF guard at registration (Ingest) and at connect time (Dispatcher), with a scripted resolver.</summary>
public sealed class SsrfGuardTests(ScriptedDnsSystem system) : IClassFixture<ScriptedDnsSystem>
{
    private static readonly IPAddress Metadata = IPAddress.Parse("169.254.169.254");

    [Fact]
    public async Task A_name_that_resolves_to_a_refused_address_is_dead_lettered_as_blocked_without_a_connection()
    {
        system.Resolver.Answers["metadata.test"] = _ => [Metadata];
        var (endpointId, _) = await system.CreateEndpointAsync("ssrf-a", "http://metadata.test/latest/meta-data", ["*"]);

        var id = await system.PublishAsync("ssrf-a", "probe.sent");

        var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), l => l.Count > 0, "the delivery is dead-lettered"));
        Assert.Equal("blocked_destination", deadLetter.Reason);
        Assert.Equal("blocked_destination", deadLetter.LastAttempt?.Error);
        var view = await system.GetEventAsync(id);
        Assert.Single(view.Deliveries[0].Attempts); // permanent: no retry
    }

    [Fact]
    public async Task A_name_that_resolves_to_an_ipv4_translated_form_of_a_refused_address_is_refused_at_connect_time()
    {
        // ::ffff:0:169.254.169.254, the RFC 2765 form the guard once let through.
        system.Resolver.Answers["translated.test"] = _ => [IPAddress.Parse("::ffff:0:a9fe:a9fe")];
        var (endpointId, _) = await system.CreateEndpointAsync("ssrf-t", "http://translated.test/latest/meta-data", ["*"]);

        await system.PublishAsync("ssrf-t", "probe.sent");

        var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={endpointId}"), l => l.Count > 0, "the delivery is dead-lettered"));
        Assert.Equal("blocked_destination", deadLetter.LastAttempt?.Error);
    }

    [Fact]
    public async Task A_name_that_rebinds_to_a_refused_address_is_refused_on_the_next_connection()
    {
        await using var subscriber = await Subscriber.StartAsync(_ => new Reply(200, Close: true));
        var port = new Uri(subscriber.Url).Port;
        // First answer: the (allow-listed) subscriber. Every later answer: the metadata service.
        system.Resolver.Answers["rebind.test"] = call => call == 0 ? [IPAddress.Loopback] : [Metadata];
        system.Resolver.Answers["mixed.test"] = _ => [Metadata, IPAddress.Loopback];
        var (rebindId, _) = await system.CreateEndpointAsync("ssrf-b", $"http://rebind.test:{port}/hook", ["first.*"]);
        var (mixedId, _) = await system.CreateEndpointAsync("ssrf-b", $"http://mixed.test:{port}/hook", ["mixed.*"]);

        var first = await system.PublishAsync("ssrf-b", "first.sent");
        await subscriber.WaitForAsync(1);
        await system.PublishAsync("ssrf-b", "first.again");
        var mixed = await system.PublishAsync("ssrf-b", "mixed.sent");

        var deadLetter = Assert.Single(await Eventually.HoldsAsync(() => system.DeadLettersAsync($"endpointId={rebindId}"), l => l.Count > 0, "the rebound delivery is refused"));
        Assert.Equal("blocked_destination", deadLetter.Reason);
        await subscriber.WaitForAsync(2);
        Assert.Equal(new[] { first, mixed }.Order(), subscriber.Received.Select(r => r.Id).Order());
        Assert.Empty(await system.DeadLettersAsync($"endpointId={mixedId}"));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://2852039166/")] // 169.254.169.254 in decimal
    [InlineData("http://0xa9.0xfe.0xa9.0xfe/")]
    [InlineData("http://[::ffff:a9fe:a9fe]/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[fd12:3456::1]/")]
    [InlineData("http://100.64.1.1/")]
    [InlineData("http://0.0.0.0/")]
    [InlineData("http://[::ffff:0:a9fe:a9fe]/")] // IPv4-translated (RFC 2765)
    [InlineData("http://[::ffff:0:10.0.0.1]/")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/")] // NAT64
    [InlineData("http://[64:ff9b:1::a9fe:a9fe]/")] // local-use NAT64
    [InlineData("http://[2002:a9fe:a9fe::1]/")] // 6to4
    [InlineData("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/")] // Teredo
    public async Task Registration_refuses_a_url_that_visibly_leads_to_a_refused_address(string url)
    {
        var response = await system.Ingest.PostAsJsonAsync("/v1/endpoints", new { tenant = "ssrf-c", url, eventTypes = new[] { "*" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not sent there", await response.Content.ReadAsStringAsync());
        Assert.Empty((await system.Ingest.GetFromJsonAsync<EndpointPage>("/v1/endpoints?tenant=ssrf-c"))!.Data);
    }
}
