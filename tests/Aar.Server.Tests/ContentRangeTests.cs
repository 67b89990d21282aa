using Aar.Server.Uploads;

namespace Aar.Server.Tests;

public sealed class ContentRangeTests
{
    [Theory]
    [InlineData("bytes 0-99/*", 0, 99)]
    [InlineData("bytes 100-199/1000", 100, 199)]
    [InlineData("0-1048575", 0, 1048575)]
    [InlineData("bytes 5-5/*", 5, 5)]
    public void Parses_rfc_and_oci_forms(string header, long start, long end)
    {
        Assert.True(ContentRange.TryParse(header, out var range, out _));
        Assert.Equal(new ContentRange(start, end), range);
        Assert.Equal(end - start + 1, range.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bytes */1000")]
    [InlineData("bytes 10-5/*")]
    [InlineData("bytes 0-99/99")]
    [InlineData("bytes 0-99/abc")]
    [InlineData("bytes 0 - 99/*")]
    [InlineData("bytes +0-99/*")]
    [InlineData("bytes 0-99999999999999999999/*")]
    public void Refuses_everything_else_with_a_sentence(string header)
    {
        Assert.False(ContentRange.TryParse(header, out _, out var error));
        Assert.StartsWith("Content-Range '", error, StringComparison.Ordinal);
    }
}
