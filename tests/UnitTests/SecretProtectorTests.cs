using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Webhooks.Core.SecretsAtRest;

namespace Webhooks.UnitTests;

public sealed class SecretProtectorTests
{
    private static string Key(string id) => $"{id}:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";

    private static SecretProtector Protector(params string[] keys) => new(Options.Create(new SecretEncryptionOptions { Keys = [.. keys] }));

    [Fact]
    public void A_secret_round_trips_and_is_not_readable_at_rest()
    {
        var protector = Protector(Key("k1"));

        var stored = protector.Protect("whsec_abc", "ep_1");

        Assert.DoesNotContain("whsec_abc", stored);
        Assert.StartsWith("enc:v1:k1:", stored);
        Assert.Equal("whsec_abc", protector.Unprotect(stored, "ep_1"));
        Assert.NotEqual(stored, protector.Protect("whsec_abc", "ep_1")); // a fresh nonce each time
    }

    [Fact]
    public void A_ciphertext_moved_to_another_endpoint_or_tampered_with_does_not_decrypt()
    {
        var protector = Protector(Key("k1"));
        var stored = protector.Protect("whsec_abc", "ep_1");
        var tampered = stored[..^4] + (stored[^4] == 'A' ? "B" : "A") + stored[^3..];

        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(stored, "ep_2"));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(tampered, "ep_1"));
    }

    [Fact]
    public void After_a_key_rotation_old_secrets_still_decrypt_and_new_ones_use_the_new_key()
    {
        var (oldKey, newKey) = (Key("old"), Key("new"));
        var before = Protector(oldKey).Protect("whsec_abc", "ep_1");

        var rotated = Protector(newKey, oldKey);

        Assert.Equal("whsec_abc", rotated.Unprotect(before, "ep_1"));
        Assert.Equal("new", SecretProtector.KeyIdOf(rotated.Protect("whsec_abc", "ep_1")));
        Assert.ThrowsAny<CryptographicException>(() => Protector(newKey).Unprotect(before, "ep_1"));
    }

    [Theory]
    [InlineData("no-colon")]
    [InlineData("k1:not-base64!")]
    [InlineData("k1:c2hvcnQ=")]
    [InlineData("bad id:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Malformed_keys_are_refused(string entry) => Assert.Null(SecretProtector.ParseKey(entry));
}
