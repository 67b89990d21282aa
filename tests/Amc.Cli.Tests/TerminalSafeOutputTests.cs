using Aar.Cli.Common;
using TestSupport;
using Xunit.Abstractions;

namespace Amc.Cli.Tests;

public sealed class TerminalSafeOutputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("plain text, tabs\tand\nnewlines stay", "plain text, tabs\tand\nnewlines stay")]
    [InlineData("red \u001b[31mhello\u001b[0m", "red hello")]
    [InlineData("clear\u001b[2J\u001b[H screen", "clear screen")]
    [InlineData("title\u001b]0;pwned\u0007 set", "title set")]
    [InlineData("link\u001b]8;;http://evil\u001b\\text\u001b]8;;\u001b\\", "linktext")]
    [InlineData("unterminated\u001b]0;hides the rest of this line\nbut not the next", "unterminated\nbut not the next")]
    [InlineData("reset\u001bc done", "reset done")]
    [InlineData("c1 csi \u009b31m and osc \u009d0;x\u009c end", "c1 csi  and osc  end")]
    [InlineData("over\rwrite", "overwrite")]
    [InlineData("bell\u0007 nul\0 del\u007f", "bell nul del")]
    [InlineData("evil\u202Etxt.exe and \u2066iso\u2069 and \u200Fmark", "eviltxt.exe and iso and mark")]
    [InlineData("ünicode, 日本語 and emoji 🙂 stay", "ünicode, 日本語 and emoji 🙂 stay")]
    public void Strips_what_a_terminal_would_obey(string text, string shown) =>
        Assert.Equal(shown, TerminalSafeWriter.Clean(text));

    [Fact]
    public void An_escape_sequence_split_across_writes_is_still_stripped()
    {
        using var inner = new StringWriter();
        using var writer = new TerminalSafeWriter(inner);

        writer.Write("a\u001b");
        writer.Write('[');
        writer.Write("3".AsSpan());
        writer.Write("1mb".ToCharArray(), 0, 3);
        writer.WriteLine();

        Assert.Equal("ab\n", inner.ToString());
    }

    [Fact]
    public async Task Amc_prints_text_from_packages_without_terminal_controls()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var tagged = TestPackage.Minimal().File("manifest.yaml", "name: hello\ntags: [\"a\\e[2Jb\\u202Ec\\e]0;pwned\\a\"]\n")
            .WriteZip(Path.Combine(daemon.Scratch, "tagged.zip"));
        var hostileKey = TestPackage.Minimal().File("manifest.yaml", "name: other\n\"\\e[2J\\e]0;pwned\\aevil\": 1\n")
            .WriteZip(Path.Combine(daemon.Scratch, "key.zip"));

        var created = await Amc.RunAsync(daemon.DataDirectory, ["application", "create", tagged]);
        var refused = await Amc.RunAsync(daemon.DataDirectory, ["application", "create", hostileKey]);
        var csv = await Amc.RunAsync(daemon.DataDirectory, ["application", "list", "--format", "csv"]);
        var table = await Amc.RunAsync(daemon.DataDirectory, ["application", "list"]);
        var show = await Amc.RunAsync(daemon.DataDirectory, ["application", "show", "hello"]);

        Assert.Equal(0, created.ExitCode);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("unknown key 'evil'", refused.Error, StringComparison.Ordinal);
        Assert.Contains(",abc,", csv.Out, StringComparison.Ordinal);
        Assert.Contains("| abc ", table.Out, StringComparison.Ordinal);
        foreach (var text in new[] { created.Out, created.Error, refused.Error, csv.Out, table.Out, show.Out })
        {
            Assert.DoesNotContain('\u001b', text);
            Assert.DoesNotContain('\u0007', text);
            Assert.DoesNotContain('\u202E', text);
        }
    }
}
