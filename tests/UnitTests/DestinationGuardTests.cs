using System.Net;
using Microsoft.Extensions.Options;
using Webhooks.Core.Destinations;

namespace Webhooks.UnitTests;

public sealed class DestinationGuardTests
{
    private static DestinationGuard Guard(params string[] allow) => new(Options.Create(new DestinationOptions { Allow = [.. allow] }));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("100.64.0.1")] // CGNAT
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.2.10")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.200")]
    [InlineData("198.18.0.1")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("fc00::abcd")]
    [InlineData("ff02::1")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:127.0.0.1")] // IPv4-mapped
    [InlineData("::ffff:a9fe:a9fe")] // mapped 169.254.169.254, in hex
    [InlineData("::127.0.0.1")] // IPv4-compatible
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    [InlineData("2002:a9fe:a9fe::1")] // 6to4 of 169.254.169.254
    [InlineData("2002:7f00:1::")] // 6to4 of 127.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")] // Teredo hides its IPv4
    [InlineData("::ffff:0:127.0.0.1")] // IPv4-translated (RFC 2765) of 127.0.0.1
    [InlineData("::ffff:0:a9fe:a9fe")] // translated 169.254.169.254, in hex
    [InlineData("64:ff9b:1::7f00:1")] // local-use NAT64 (RFC 8215): refused whole
    [InlineData("64:ff9b::10.0.0.1")] // NAT64 of a private address
    public void Private_loopback_link_local_and_reserved_addresses_are_refused_in_every_form(string address) =>
        Assert.False(Guard().IsAllowed(IPAddress.Parse(address), 443, "acme"));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")] // just outside 172.16/12
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2002:0808:0808::1")] // 6to4 of a public address
    [InlineData("::ffff:0:8.8.8.8")] // translated public address
    [InlineData("64:ff9b::8.8.8.8")] // NAT64 of a public address
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(Guard().IsAllowed(IPAddress.Parse(address), 443, "acme"));

    [Fact]
    public void The_allow_list_lets_chosen_ranges_through_in_their_mapped_forms_too()
    {
        var guard = Guard("127.0.0.0/8", "10.20.0.0/16");

        Assert.True(guard.IsAllowed(IPAddress.Parse("127.0.0.1"), 443, "acme"));
        Assert.True(guard.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1"), 80, "acme"));
        Assert.True(guard.IsAllowed(IPAddress.Parse("10.20.3.4"), 443, null));
        Assert.False(guard.IsAllowed(IPAddress.Parse("10.21.3.4"), 443, "acme"));
        Assert.False(guard.IsAllowed(IPAddress.Parse("169.254.169.254"), 80, "acme"));
    }

    [Theory]
    [InlineData("http://2130706433/")] // decimal
    [InlineData("http://0x7f000001/")] // hexadecimal
    [InlineData("http://0177.0.0.1/")] // octal
    [InlineData("http://127.1/")] // shortened
    [InlineData("http://0x7f.0.0.1/")]
    [InlineData("http://[::ffff:7f00:1]/")]
    [InlineData("http://[0:0:0:0:0:ffff:169.254.169.254]/")]
    [InlineData("http://LOCALHOST./")]
    [InlineData("http://api.localhost/")]
    [InlineData("http://0/")]
    public void Registration_sees_through_unusual_notations(string url) =>
        Assert.NotNull(Guard().Refusal(new Uri(url), "acme"));

    [Fact]
    public void Registration_leaves_names_to_be_checked_when_they_are_resolved()
    {
        Assert.Null(Guard().Refusal(new Uri("https://hooks.example.com/in"), "acme"));
        Assert.Null(Guard("internal.example").Refusal(new Uri("http://internal.example/"), "acme"));
    }

    [Fact]
    public void An_entry_opens_only_its_ports_and_its_tenants()
    {
        var guard = Guard("10.1.0.0/16 ports=8443,9000 tenants=acme,globex", "10.2.0.0/16", "hooks.internal ports=* tenants=acme");
        var inside = IPAddress.Parse("10.1.2.3");

        Assert.True(guard.IsAllowed(inside, 8443, "acme"));
        Assert.True(guard.IsAllowed(inside, 9000, "globex"));
        Assert.False(guard.IsAllowed(inside, 443, "acme"));
        Assert.False(guard.IsAllowed(inside, 8443, "initech"));
        // The pool shared by tenants no entry names is never opened by an entry that names tenants.
        Assert.False(guard.IsAllowed(inside, 8443, null));
        // Without ports=, an entry opens 80 and 443 only.
        Assert.True(guard.IsAllowed(IPAddress.Parse("10.2.0.1"), 443, "initech"));
        Assert.False(guard.IsAllowed(IPAddress.Parse("10.2.0.1"), 6379, "initech"));
        Assert.NotNull(guard.HostEntry("hooks.internal.", 6379, "acme"));
        Assert.Null(guard.HostEntry("hooks.internal", 443, "globex"));
        Assert.Equal(["acme", "globex"], guard.NamedTenants.Order());
        Assert.NotNull(guard.Refusal(new Uri("http://10.1.2.3:8443/"), "initech"));
        Assert.Null(guard.Refusal(new Uri("http://10.1.2.3:8443/"), "acme"));
    }

    [Theory]
    [InlineData("10.0.0.0/8 ports=0")]
    [InlineData("10.0.0.0/8 ports=")]
    [InlineData("10.0.0.0/8 ports=80,x")]
    [InlineData("10.0.0.0/8 tenants=")]
    [InlineData("10.0.0.0/8 keep")]
    [InlineData("not a host/8")]
    public void A_malformed_entry_is_refused_at_start(string entry) =>
        Assert.NotEmpty(new DestinationOptions { Allow = [entry] }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())));
}
