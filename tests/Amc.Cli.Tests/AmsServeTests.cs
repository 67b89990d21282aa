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
}
