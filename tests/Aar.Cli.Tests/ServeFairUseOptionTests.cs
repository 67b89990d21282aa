using TestSupport;

namespace Aar.Cli.Tests;

public sealed class ServeFairUseOptionTests
{
    [Theory]
    [InlineData("--max-upload-sessions", "0", "--max-upload-sessions '0' must be at least 1.")]
    [InlineData("--max-upload-sessions", "many", "many")]
    [InlineData("--max-staged-bytes", "12XB", "--max-staged-bytes '12XB' is not a size")]
    [InlineData("--max-staged-bytes", "1GiB", "--max-staged-bytes '1073741824' is less than --max-blob-size (10737418240 bytes)")]
    [InlineData("--enrol-attempts", "0", "--enrol-attempts '0' must be at least 1.")]
    [InlineData("--enrol-window", "5", "--enrol-window '5' is not a duration of at least 1s")]
    public async Task Bad_fair_use_options_exit_1_naming_the_option_and_value(string option, string value, string message)
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["serve", "--data-dir", temp.Combine("data"), "--listen", "127.0.0.1:0", option, value]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("data")));
    }
}
