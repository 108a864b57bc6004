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
    public void Private_loopback_link_local_and_reserved_addresses_are_refused_in_every_form(string address) =>
        Assert.False(Guard().IsAllowed(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")] // just outside 172.16/12
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2002:0808:0808::1")] // 6to4 of a public address
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(Guard().IsAllowed(IPAddress.Parse(address)));

    [Fact]
    public void The_allow_list_lets_chosen_ranges_through_in_their_mapped_forms_too()
    {
        var guard = Guard("127.0.0.0/8", "10.20.0.0/16");

        Assert.True(guard.IsAllowed(IPAddress.Parse("127.0.0.1")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.True(guard.IsAllowed(IPAddress.Parse("10.20.3.4")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("10.21.3.4")));
        Assert.False(guard.IsAllowed(IPAddress.Parse("169.254.169.254")));
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
        Assert.NotNull(Guard().Refusal(new Uri(url)));

    [Fact]
    public void Registration_leaves_names_to_be_checked_when_they_are_resolved()
    {
        Assert.Null(Guard().Refusal(new Uri("https://hooks.example.com/in")));
        Assert.Null(Guard("internal.example").Refusal(new Uri("http://internal.example/")));
    }
}
