using Aar.Cli.Serve;
using Aar.Protocol.Cli;
using TestSupport;

namespace Aar.Cli.Tests;

public sealed class ServeStorageOptionTests
{
    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("500MiB", 500L * 1024 * 1024)]
    [InlineData("10GiB", 10L << 30)]
    [InlineData("2GB", 2_000_000_000L)]
    [InlineData("64k", 65536L)]
    public void Sizes_accept_bytes_and_units(string text, long expected)
    {
        Assert.True(Units.TryParseSize(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12XB")]
    [InlineData("-5")]
    [InlineData("1.5GiB")]
    [InlineData("99999999999999999999")]
    [InlineData("9999999999TiB")]
    public void Sizes_refuse_everything_else(string text) => Assert.False(Units.TryParseSize(text, out _));

    [Theory]
    [InlineData("--max-blob-size", "12XB", "--max-blob-size '12XB' is not a size")]
    [InlineData("--upload-expiry", "5", "--upload-expiry '5' is not a duration of at least 1s")]
    [InlineData("--blob-grace", "0s", "--blob-grace '0s' is not a duration of at least 1s")]
    public async Task Bad_storage_options_exit_1_naming_the_option_and_value(string option, string value, string message)
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["serve", "--data-dir", temp.Combine("data"), "--listen", "127.0.0.1:0", option, value]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("data")));
    }
}
