using Aar.Cli.Common;
using Ams.Cli;
using TestSupport;

namespace Amc.Cli.Tests;

public sealed class AmsServeTests
{
    [Fact]
    public async Task Serve_with_bad_options_exits_1_with_one_sentence_per_problem()
    {
        using var directory = new TempDirectory("ams");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, TextReader.Null, InputRedirected: false, OutputIsTerminal: false);

        var exit = await AmsCommand.RunAsync(["serve", "--data-dir", directory.Combine("data"), "--architecture", "sparc", "--max-package-size", "5", "--log-level", "verbose"], console);

        Assert.Equal(1, exit);
        Assert.Equal(
            "ams serve: --architecture 'sparc' is unknown: use amd64 or arm64.\n--log-level 'verbose' is unknown: use trace, debug, information, warning, error or critical.\n--max-package-size 5 is too small: give at least 1024 bytes (default 10737418240).\n",
            error.ToString());
        Assert.False(Directory.Exists(directory.Combine("data")));
    }

    [Theory]
    [InlineData("1KiB")]
    [InlineData("1 kib")]
    [InlineData("10GiB")]
    [InlineData("2GB")]
    public async Task The_package_size_limit_takes_units_like_every_other_size_option(string size)
    {
        using var directory = new TempDirectory("ams");
        using var error = new StringWriter();
        var console = new CliConsole(new StringWriter(), error, TextReader.Null, InputRedirected: false, OutputIsTerminal: false);

        // The bad architecture stops the start; the size must not be among the problems.
        var exit = await AmsCommand.RunAsync(["serve", "--data-dir", directory.Combine("data"), "--architecture", "sparc", "--max-package-size", size], console);

        Assert.Equal((1, "ams serve: --architecture 'sparc' is unknown: use amd64 or arm64.\n"), (exit, error.ToString()));
    }

    [Theory]
    [InlineData("10x")]
    [InlineData("-5")]
    [InlineData("99999999999TiB")]
    [InlineData("1.5GiB")]
    public async Task A_package_size_that_is_not_a_size_is_a_usage_error_that_says_what_is_accepted(string size)
    {
        using var directory = new TempDirectory("ams");
        using var error = new StringWriter();
        var console = new CliConsole(new StringWriter(), error, TextReader.Null, InputRedirected: false, OutputIsTerminal: false);

        var exit = await AmsCommand.RunAsync(["serve", "--data-dir", directory.Combine("data"), $"--max-package-size={size}"], console);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"--max-package-size '{size}' is not a size: use bytes or a number with KiB, MiB, GiB, TiB (or KB, MB, GB, TB), e.g. 10GiB.", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory.Combine("data")));
    }
}
