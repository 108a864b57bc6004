using System.Text;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using Webhooks.Signing;

namespace Webhooks.UnitTests;

public sealed class SigningTests
{
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Fact]
    public void The_standard_webhooks_reference_vector_is_reproduced()
    {
        var signature = WebhookSignature.Sign(WebhookSecret.Key(VectorSecret), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("{\"test\": 2432232314}"));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void An_independent_verifier_accepts_our_signature()
    {
        var secret = WebhookSecret.Generate();
        var body = "{\"id\":\"evt_1\",\"type\":\"order.created\"}";
        var now = DateTimeOffset.UtcNow;
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = "evt_1",
            ["webhook-timestamp"] = now.ToUnixTimeSeconds().ToString(),
            ["webhook-signature"] = WebhookSignature.Header([secret], "evt_1", now.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(body)),
        };

        new StandardWebhook(secret).Verify(body, headers); // throws when the signature is wrong
    }

    [Fact]
    public void During_a_rotation_both_secrets_verify()
    {
        var (current, previous) = (WebhookSecret.Generate(), WebhookSecret.Generate());
        var body = "{}"u8.ToArray();
        var now = DateTimeOffset.UtcNow;
        var header = WebhookSignature.Header([current, previous], "evt_1", now.ToUnixTimeSeconds(), body);

        Assert.Equal(2, header.Split(' ').Length);
        Assert.True(WebhookSignature.Verify(current, "evt_1", now.ToUnixTimeSeconds().ToString(), header, body, now, TimeSpan.FromMinutes(5)));
        Assert.True(WebhookSignature.Verify(previous, "evt_1", now.ToUnixTimeSeconds().ToString(), header, body, now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void A_changed_body_an_other_secret_or_a_stale_timestamp_fails_verification()
    {
        var secret = WebhookSecret.Generate();
        var now = DateTimeOffset.UtcNow;
        var ts = now.ToUnixTimeSeconds();
        var header = WebhookSignature.Header([secret], "evt_1", ts, "{\"a\":1}"u8);

        Assert.True(WebhookSignature.Verify(secret, "evt_1", ts.ToString(), header, "{\"a\":1}"u8, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, "evt_1", ts.ToString(), header, "{\"a\":2}"u8, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(WebhookSecret.Generate(), "evt_1", ts.ToString(), header, "{\"a\":1}"u8, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, "evt_2", ts.ToString(), header, "{\"a\":1}"u8, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, "evt_1", ts.ToString(), header, "{\"a\":1}"u8, now.AddMinutes(6), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Generated_secrets_carry_the_prefix_and_32_key_bytes()
    {
        var secret = WebhookSecret.Generate();

        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, WebhookSecret.Key(secret).Length);
        Assert.NotEqual(secret, WebhookSecret.Generate());
    }
}
