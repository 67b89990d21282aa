using Aar.Cli.Common;

namespace Aar.Cli.Tests;

/// <summary>
/// A command line that does not parse: one <c>Error:</c> line and one hint on stderr, exit 1, nothing on stdout and
/// no help dump; a suggestion only for a close match (docs/cli.md). <c>aar</c> runs as a real process.
/// </summary>
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("trust ad", "Error: unknown command \"ad\" for \"aar trust\".\nDid you mean 'aar trust add'? Run 'aar trust --help' for usage.\n")]
    [InlineData("stauts", "Error: unknown command \"stauts\" for \"aar\".\nDid you mean 'aar status'? Run 'aar --help' for usage.\n")]
    [InlineData("trust xyzzy", "Error: unknown command \"xyzzy\" for \"aar trust\".\nRun 'aar trust --help' for usage.\n")]
    [InlineData("trust list --fromat json", "Error: unknown option \"--fromat\" for \"aar trust list\".\nDid you mean '--format'? Run 'aar trust list --help' for usage.\n")]
    [InlineData("trust list -x", "Error: unknown option \"-x\" for \"aar trust list\".\nRun 'aar trust list --help' for usage.\n")]
    [InlineData("trust list extra", "Error: unexpected argument \"extra\" for \"aar trust list\".\nRun 'aar trust list --help' for usage.\n")]
    [InlineData("trust", "Error: \"aar trust\" needs a command: add, list, remove, revoke, token, certificate.\nRun 'aar trust --help' for usage.\n")]
    [InlineData("application show", "Error: \"aar application show\" needs its <name> argument.\nRun 'aar application show --help' for usage.\n")]
    [InlineData("application delete game -a amd64 --version two", "Error: 'two' is not a valid value for --version.\nRun 'aar application delete --help' for usage.\n")]
    [InlineData("status --format csv", "Error: --format 'csv' is unknown: use one of table, json, yaml.\nRun 'aar status --help' for usage.\n")]
    [InlineData("application list --format xml -a", "Error: --format 'xml' is unknown: use one of table, csv, json, yaml.\nError: -a needs a value.\nRun 'aar application list --help' for usage.\n")]
    public async Task A_usage_error_is_one_line_and_a_hint(string commandLine, string expected)
    {
        var result = await AarProcess.RunAsync(null, commandLine.Split(' '));

        // ChildProcess ends what it collected with a newline of its own.
        Assert.Equal((ExitCodes.Usage, expected, ""), (result.ExitCode, result.Error.TrimEnd('\n') + "\n", result.Out.TrimEnd('\n')));
    }
}
