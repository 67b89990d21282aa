using Aar.Cli.Common;
using Aar.Cli.Serve;
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
    [InlineData("--scrub-interval", "0s", "--scrub-interval '0s' is not 'off' or a duration of at least 1s")]
    [InlineData("--scrub-interval", "never", "--scrub-interval 'never' is not 'off' or a duration of at least 1s")]
    public async Task Bad_storage_options_exit_1_naming_the_option_and_value(string option, string value, string message)
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["serve", "--data-dir", temp.Combine("data"), "--listen", "127.0.0.1:0", option, value]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("data")));
    }

    [Fact]
    public async Task An_s3_store_with_bad_settings_exits_1_listing_every_problem()
    {
        using var temp = new TempDirectory();
        var noCredentials = Environment.GetEnvironmentVariable("AAR_S3_ACCESS_KEY") is null && Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null;

        var result = await CliHarness.RunAsync(["serve", "--data-dir", temp.Combine("data"), "--listen", "127.0.0.1:0", "--blob-store", "s3", "--s3-bucket", "Bad_Bucket", "--s3-part-size", "1MiB", "--s3-endpoint", "ftp://x"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--s3-bucket 'Bad_Bucket' is not a bucket name", result.Error, StringComparison.Ordinal);
        Assert.Contains("--s3-part-size '1048576' must be between 5 MiB and 5 GiB", result.Error, StringComparison.Ordinal);
        Assert.Contains("--s3-endpoint 'ftp://x' is not an http(s) URL", result.Error, StringComparison.Ordinal);
        if (noCredentials)
        {
            Assert.Contains("set AAR_S3_ACCESS_KEY and AAR_S3_SECRET_KEY", result.Error, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(temp.Combine("data")));
    }

    [Fact]
    public async Task A_bad_switch_value_is_a_usage_error()
    {
        using var temp = new TempDirectory();

        var redirect = await CliHarness.RunAsync(["serve", "--data-dir", temp.Combine("data"), "--s3-redirect", "maybe"]);

        Assert.Equal(ExitCodes.Usage, redirect.ExitCode);
        Assert.Contains("maybe", redirect.Error, StringComparison.Ordinal);
    }
}
