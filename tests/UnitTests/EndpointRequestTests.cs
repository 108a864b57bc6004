using Microsoft.Extensions.Options;
using Webhooks.Core.Destinations;
using Webhooks.Core.Endpoints;
using Webhooks.Ingest.Endpoints;

namespace Webhooks.UnitTests;

public sealed class EndpointRequestTests
{
    private static readonly DestinationGuard Guard = new(Options.Create(new DestinationOptions()));

    private static EndpointRequest Valid => new("acme", "https://hooks.example.com/in", ["order.*"], null, null, null, null, null, null);

    [Fact]
    public void A_complete_request_is_valid() => Assert.Empty(Valid.Check(creating: true, Guard, "acme"));

    [Theory]
    [InlineData("ftp://example.com/")]
    [InlineData("https://user:pass@example.com/")]
    [InlineData("example.com/hook")]
    public void The_url_must_be_http_without_credentials(string url) =>
        Assert.Contains("url", (Valid with { Url = url }).Check(creating: true, Guard, "acme").Keys);

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f.0.0.1/")]
    [InlineData("http://localhost:3000/")]
    [InlineData("http://[::ffff:169.254.169.254]/latest/meta-data")]
    public void A_url_that_visibly_leads_to_a_refused_address_is_refused_at_registration(string url) =>
        Assert.Contains("url", (Valid with { Url = url }).Check(creating: true, Guard, "acme").Keys);

    [Fact]
    public void An_allow_listed_range_may_be_registered() =>
        Assert.Empty((Valid with { Url = "http://127.0.0.1:9000/" }).Check(creating: true, new DestinationGuard(Options.Create(new DestinationOptions { Allow = ["127.0.0.0/8 ports=9000"] })), "acme"));

    [Theory]
    [InlineData(1e-9)]
    [InlineData(1e-300)]
    [InlineData(0.0009)]
    [InlineData(double.NaN)]
    public void A_rate_limit_too_slow_for_the_limiters_arithmetic_is_refused(double perSecond) =>
        Assert.Contains("rateLimit", (Valid with { RateLimit = new RateLimit(perSecond, null) }).Check(creating: true, Guard, "acme").Keys);

    [Fact]
    public void The_slowest_rate_limit_is_accepted() =>
        Assert.Empty((Valid with { RateLimit = new RateLimit(EndpointRequest.MinPerSecond, null) }).Check(creating: true, Guard, "acme"));

    [Fact]
    public void An_empty_event_type_filter_is_refused() =>
        Assert.Contains("eventTypes", (Valid with { EventTypes = [] }).Check(creating: true, Guard, "acme").Keys);

    [Theory]
    [InlineData("webhook-signature")]
    [InlineData("Host")]
    [InlineData("content-length")]
    [InlineData("bad header")]
    public void Custom_headers_cannot_override_the_platforms_own(string name) =>
        Assert.Contains("headers", (Valid with { Headers = new Dictionary<string, string> { [name] = "x" } }).Check(creating: true, Guard, "acme").Keys);

    [Fact]
    public void A_header_value_cannot_carry_a_line_break() =>
        Assert.Contains("headers", (Valid with { Headers = new Dictionary<string, string> { ["x-team"] = "a\r\nevil: 1" } }).Check(creating: true, Guard, "acme").Keys);

    [Fact]
    public void Limits_and_modes_are_bounded()
    {
        var errors = (Valid with { RateLimit = new RateLimit(0, 0), MaxInFlight = 0, TimeoutSeconds = 600, Payload = "fat" }).Check(creating: true, Guard, "acme");

        Assert.Equal(["maxInFlight", "payload", "rateLimit", "timeoutSeconds"], errors.Keys.Order());
    }

    [Fact]
    public void A_change_cannot_move_an_endpoint_to_another_tenant() =>
        Assert.Contains("tenant", new EndpointRequest("other", null, null, null, null, null, null, null, null).Check(creating: false, Guard, "acme").Keys);

    [Fact]
    public void A_change_keeps_what_it_does_not_mention()
    {
        var now = DateTimeOffset.UtcNow;
        var endpoint = new WebhookEndpoint { Id = "ep_1", Tenant = "acme", Url = "https://a.example/", EventTypes = ["*"], Secret = "whsec_AAAA", CreatedAt = now, UpdatedAt = now, Description = "kept" };

        var changed = new EndpointRequest(null, "https://b.example/", null, null, null, null, null, 5, null).ApplyTo(endpoint, now);

        Assert.Equal(("https://b.example/", 5, "kept", "acme"), (changed.Url, changed.TimeoutSeconds, changed.Description, changed.Tenant));
    }

    [Theory]
    [InlineData("x-team", "café")] // non-ASCII: refused by HttpClient at every send
    [InlineData("x-team", "tab\tand\u007fdelete")]
    public void Header_values_are_printable_ascii(string name, string value) =>
        Assert.Contains("headers", (Valid with { Headers = new Dictionary<string, string> { [name] = value } }).Check(creating: true, Guard, "acme").Keys);

    [Fact]
    public void Header_names_are_at_most_100_characters() =>
        Assert.Contains("headers", (Valid with { Headers = new Dictionary<string, string> { [new string('x', 101)] = "v" } }).Check(creating: true, Guard, "acme").Keys);
}
