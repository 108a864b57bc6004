using Webhooks.Signing;

namespace Webhooks.UnitTests;

public sealed class DataLinkTests
{
    private static readonly string Secret = WebhookSecret.Generate();
    private static readonly Uri Ingest = new("https://hooks.example.com/api/");

    [Fact]
    public void A_link_names_the_event_the_endpoint_and_its_expiry_and_verifies_with_the_secret_that_signed_it()
    {
        var expires = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var link = new Uri(DataLink.For(Ingest, "evt_1", "ep_1", Secret, expires));
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);

        Assert.Equal("/api/v1/events/evt_1/data", link.AbsolutePath);
        Assert.Equal(("ep_1", expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)), (query["endpoint"], query["expires"]));
        Assert.True(DataLink.Verify([Secret], "evt_1", "ep_1", expires.ToUnixTimeSeconds(), query["signature"]!));
        Assert.DoesNotContain('+', query["signature"]!);
        Assert.DoesNotContain('=', query["signature"]!);
    }

    [Fact]
    public void Changing_the_event_the_endpoint_or_the_expiry_or_another_secret_fails_and_a_rotated_out_secret_still_verifies()
    {
        var signature = DataLink.Signature(Secret, "evt_1", "ep_1", 1_800_000_000);
        var other = WebhookSecret.Generate();

        Assert.False(DataLink.Verify([Secret], "evt_2", "ep_1", 1_800_000_000, signature));
        Assert.False(DataLink.Verify([Secret], "evt_1", "ep_2", 1_800_000_000, signature));
        Assert.False(DataLink.Verify([Secret], "evt_1", "ep_1", 1_800_000_001, signature));
        Assert.False(DataLink.Verify([other], "evt_1", "ep_1", 1_800_000_000, signature));
        Assert.True(DataLink.Verify([other, Secret], "evt_1", "ep_1", 1_800_000_000, signature));
    }

    [Fact]
    public void A_link_signature_is_never_a_webhook_signature_of_the_same_values()
    {
        var link = DataLink.Signature(Secret, "evt_1", "ep_1", 1_800_000_000);
        var webhook = WebhookSignature.Sign(WebhookSecret.Key(Secret), "evt_1", 1_800_000_000, "ep_1"u8);

        Assert.NotEqual(webhook["v1,".Length..].TrimEnd('=').Replace('+', '-').Replace('/', '_'), link);
    }
}
