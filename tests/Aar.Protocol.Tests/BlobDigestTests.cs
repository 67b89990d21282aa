using System.Security.Cryptography;
using System.Text;
using Aar.Protocol.Registry;

namespace Aar.Protocol.Tests;

public sealed class BlobDigestTests
{
    [Fact]
    public void Of_matches_sha256sum()
    {
        // printf 'hello' | sha256sum
        Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", BlobDigest.Of(Encoding.ASCII.GetBytes("hello")).ToString());
    }

    [Fact]
    public void Parses_its_own_text()
    {
        var digest = BlobDigest.FromHash(SHA256.HashData([1, 2, 3]));

        Assert.True(BlobDigest.TryParse(digest.ToString(), out var parsed));
        Assert.Equal(digest, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824")]
    [InlineData("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982")]
    [InlineData("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98245")]
    [InlineData("sha512:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982z")]
    [InlineData("sha256:../../../../../../../../../../../../../../../../etc/passwd0000")]
    public void Rejects_anything_but_lower_case_sha256(string? text) => Assert.False(BlobDigest.TryParse(text, out _));
}
