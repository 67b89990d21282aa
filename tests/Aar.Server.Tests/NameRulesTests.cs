using Aar.Protocol.Http;
using Aar.Server.Applications;

namespace Aar.Server.Tests;

public sealed class NameRulesTests
{
    [Theory]
    [InlineData("game")]
    [InlineData("Game_2.beta-1")]
    [InlineData("a..b")]
    public void Accepts_manifest_style_names(string name) => Assert.Null(NameRules.CheckName(name));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    [InlineData("a%2fb")]
    [InlineData("a b")]
    [InlineData("ünicode")]
    [InlineData("hello\n")]
    [InlineData("hello\r\n")]
    public void Rejects_names_that_could_become_paths(string name)
    {
        var problem = NameRules.CheckName(name);

        Assert.Equal(ProblemTypes.InvalidName, problem?.Type);
        Assert.DoesNotContain("\0", problem!.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_names_over_64_characters() =>
        Assert.Equal(ProblemTypes.InvalidName, NameRules.CheckName(new string('a', 65))?.Type);

    [Theory]
    [InlineData("amd64", true)]
    [InlineData("arm64", true)]
    [InlineData("x86_64", true)]
    [InlineData("AMD64", false)]
    [InlineData("amd64\0", false)]
    [InlineData("../amd64", false)]
    [InlineData("", false)]
    public void Architectures_are_lower_case_identifiers(string architecture, bool valid) =>
        Assert.Equal(valid, NameRules.CheckArchitecture(architecture) is null);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("12", 12)]
    [InlineData("999999999", 999999999)]
    public void Versions_are_whole_numbers(string text, int expected)
    {
        Assert.Null(NameRules.CheckVersion(text, out var version));
        Assert.Equal(expected, version);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1.0")]
    [InlineData("1000000000")]
    [InlineData("007")]
    [InlineData("00")]
    [InlineData("01")]
    public void Rejects_other_version_texts(string text) =>
        Assert.Equal(ProblemTypes.InvalidVersion, NameRules.CheckVersion(text, out _)?.Type);
}
