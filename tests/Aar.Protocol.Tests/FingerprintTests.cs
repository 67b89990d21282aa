using Aar.Protocol.Certificates;
using TestSupport;

namespace Aar.Protocol.Tests;

public sealed class FingerprintTests
{
    [Fact]
    public void Is_the_lower_case_sha256_of_the_der_bytes()
    {
        using var certificate = TestCertificates.Client();

        var fingerprint = Fingerprint.Of(certificate);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(certificate.RawData)), fingerprint.Hex);
        Assert.Equal(certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(), fingerprint.Hex);
        Assert.Equal(fingerprint.Hex[..12], fingerprint.Abbreviated);
    }

    [Theory]
    [InlineData("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89", true)]
    [InlineData(" abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789 ", true)]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678", false)]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567890", false)]
    [InlineData("ghijkl0123456789abcdef0123456789abcdef0123456789abcdef0123456789", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Parses_full_fingerprints_as_people_paste_them(string? text, bool valid)
    {
        Assert.Equal(valid, Fingerprint.TryParse(text, out var fingerprint));
        if (valid)
        {
            Assert.Equal("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", fingerprint.Hex);
        }
    }

    [Theory]
    [InlineData("abcdef012345", true, null)]
    [InlineData("ABCDEF012345", true, null)]
    [InlineData("ab:cd:ef:01:23:45", true, null)]
    [InlineData("abcdef01234", false, "too short")]
    [InlineData("not-hex-at-all!", false, "not a fingerprint")]
    [InlineData("", false, "not a fingerprint")]
    public void Prefixes_need_twelve_hex_characters(string text, bool valid, string? error)
    {
        Assert.Equal(valid, FingerprintPrefix.TryParse(text, out var prefix, out var message));
        if (valid)
        {
            Assert.True(prefix!.Matches("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"));
        }
        else
        {
            Assert.Contains(error!, message, StringComparison.Ordinal);
        }
    }
}
