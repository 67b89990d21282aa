using Aar.Protocol.Text;

namespace Aar.Protocol.Tests;

public sealed class SafeTextTests
{
    [Theory]
    [InlineData("ams-eu-1")]
    [InlineData("Zürich Büro")]
    [InlineData("東京 ams")]
    [InlineData("publisher 🚀")]
    [InlineData("")]
    public void Accepts_text_that_shows_as_itself(string text) => Assert.Null(SafeText.FindUnsafe(text));

    [Theory]
    [InlineData("abc\u202Edef", 3, 0x202E, "a bidirectional formatting character")]
    [InlineData("\u2066x\u2069", 0, 0x2066, "a bidirectional formatting character")]
    [InlineData("ab\u200Fc", 2, 0x200F, "a bidirectional formatting character")]
    [InlineData("a\u061Cb", 1, 0x061C, "a bidirectional formatting character")]
    [InlineData("zero\u200Bwidth", 4, 0x200B, "an invisible format character")]
    [InlineData("bom\uFEFF", 3, 0xFEFF, "an invisible format character")]
    [InlineData("tag\U000E0041", 3, 0xE0041, "an invisible format character")]
    [InlineData("bell\u0007", 4, 0x07, "a control character")]
    [InlineData("esc\u001B[31m", 3, 0x1B, "a control character")]
    [InlineData("c1\u009B", 2, 0x9B, "a control character")]
    [InlineData("line\u2028break", 4, 0x2028, "a line separator")]
    public void Finds_the_first_character_that_would_not_show_as_itself(string text, int index, int codePoint, string kind) =>
        Assert.Equal(new UnsafeCharacter(index, codePoint, kind), SafeText.FindUnsafe(text));

    [Fact]
    public void Finds_lone_surrogates_at_the_end_and_in_the_middle()
    {
        // Built here: test-case serialization would replace a lone surrogate in [InlineData] with U+FFFD.
        Assert.Equal(new UnsafeCharacter(4, 0xD800, "a lone surrogate"), SafeText.FindUnsafe("lone" + (char)0xD800));
        Assert.Equal(new UnsafeCharacter(1, 0xDC00, "a lone surrogate"), SafeText.FindUnsafe("a" + (char)0xDC00 + "b"));
    }

    [Fact]
    public void Check_names_the_character_and_its_position_for_people()
    {
        Assert.Equal(
            "Name contains U+202E (a bidirectional formatting character) at position 4; control, invisible format and bidirectional characters are refused because they make a name show differently from what is stored.",
            SafeText.Check("Name", "ams\u202Eexe.crt"));
        Assert.Null(SafeText.Check("Name", "ams"));
    }
}
