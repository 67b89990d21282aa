using System.Text.RegularExpressions;
using Aar.Protocol.Registry;
using CsCheck;
using TestSupport;

namespace Aar.Protocol.Tests;

public sealed class ApplicationNameTests
{
    [Theory]
    [InlineData("game")]
    [InlineData("Game_2.beta-1")]
    [InlineData("a..b")]
    [InlineData("...")]
    public void Accepts_names_of_the_rule(string name) => Assert.True(ApplicationName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("hello\n")]
    [InlineData("hello\r\n")]
    [InlineData("\nhello")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("ünicode")]
    [InlineData("hello\u202E")]
    public void Refuses_everything_else(string name) => Assert.False(ApplicationName.IsValid(name));

    [Fact]
    public void Refuses_names_over_64_characters()
    {
        Assert.True(ApplicationName.IsValid(new string('a', 64)));
        Assert.False(ApplicationName.IsValid(new string('a', 65)));
    }

    [Fact]
    public void Agrees_with_the_anchored_pattern_on_any_text() =>
        PropertyCheck.ForAll(Gen.String[Gen.Char["aZ09_.-/ \n\r\t\0é"], 0, 70], 20_000, name =>
            Assert.Equal(
                Regex.IsMatch(name, @"\A[A-Za-z0-9_.\-]{1,64}\z", RegexOptions.CultureInvariant) && name is not ("." or ".."),
                ApplicationName.IsValid(name)));
}
