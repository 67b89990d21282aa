using Aar.Protocol.Enrolment;
using Aar.Protocol.Text;

namespace Aar.Protocol.Tests;

public sealed class JoinTokenTests
{
    private static readonly JoinToken Sample = new()
    {
        Addresses = ["192.0.2.10:3000", "[2001:db8::1]:3000"],
        Fingerprint = new string('b', 64),
        Secret = "s3cr3t",
        Role = "publisher",
        ExpiresAt = new DateTimeOffset(2026, 11, 25, 13, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void Round_trips_through_its_text_form()
    {
        var text = Sample.Encode();

        Assert.DoesNotContain(text, c => c is '+' or '/' or '=' or ' ');
        Assert.True(JoinToken.TryDecode(" " + text + "\n", out var decoded, out _));
        Assert.Equal(Sample.Addresses, decoded!.Addresses);
        Assert.Equal(Sample with { Addresses = decoded.Addresses }, decoded);
    }

    [Fact]
    public void Carries_the_signing_key_and_refuses_one_that_is_not_a_p256_public_key()
    {
        using var key = Signing.SigningKeyPair.Create();
        var signed = Sample with { SigningKey = key.PublicKey.Base64 };

        Assert.True(JoinToken.TryDecode(signed.Encode(), out var decoded, out _));
        Assert.Equal(key.PublicKey.Base64, decoded!.SigningKey);
        Assert.Null(JsonDocumentProperty(Sample.Encode()));
        Assert.False(JoinToken.TryDecode((Sample with { SigningKey = "AAAA" }).Encode(), out _, out _));
    }

    private static string? JsonDocumentProperty(string token)
    {
        using var json = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token));
        return json.RootElement.TryGetProperty("signing_key", out var value) ? value.GetString() : null;
    }

    [Theory]
    [InlineData("")]
    [InlineData("!!!not base64!!!")]
    [InlineData("e30")]
    public void Refuses_malformed_text(string text)
    {
        Assert.False(JoinToken.TryDecode(text, out var token, out var error));
        Assert.Null(token);
        Assert.Contains("aar trust token create", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no addresses")]
    [InlineData("bad fingerprint")]
    [InlineData("bad role")]
    [InlineData("no secret")]
    public void Refuses_tokens_missing_what_a_join_needs(string defect)
    {
        var broken = defect switch
        {
            "no addresses" => Sample with { Addresses = [] },
            "bad fingerprint" => Sample with { Fingerprint = "abc" },
            "bad role" => Sample with { Role = "admin" },
            _ => Sample with { Secret = "" },
        };

        Assert.False(JoinToken.TryDecode(broken.Encode(), out _, out _));
    }
}

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    [InlineData("1d2h3m4s", 93784)]
    public void Parses(string text, int seconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
        Assert.Equal(text, DurationText.Format(duration));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("-5m")]
    [InlineData("1m1h")]
    [InlineData("1.5h")]
    [InlineData("h")]
    [InlineData("99999999999s")]
    public void Refuses(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }
}
