using Aar.Cli.Common;
using TestSupport;

namespace Amc.Cli.Tests;

/// <summary>Usage errors of <c>amc</c>, as a real process: one line and a hint, exit 1, as in <c>aar</c> (docs/cli.md).</summary>
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("aplication list", "Error: unknown command \"aplication\" for \"amc\".\nDid you mean 'amc application'? Run 'amc --help' for usage.\n")]
    [InlineData("registry sycn", "Error: unknown command \"sycn\" for \"amc registry\".\nDid you mean 'amc registry sync'? Run 'amc registry --help' for usage.\n")]
    [InlineData("config show --format table", "Error: --format 'table' is unknown: use one of yaml, json.\nRun 'amc config show --help' for usage.\n")]
    [InlineData("application list --filtr name=x", "Error: unknown option \"--filtr\" for \"amc application list\".\nDid you mean '--filter'? Run 'amc application list --help' for usage.\n")]
    public async Task A_usage_error_is_one_line_and_a_hint(string commandLine, string expected)
    {
        var (exit, stdout, stderr) = await ChildProcess.RunAsync("amc", null, commandLine.Split(' '));

        // ChildProcess ends what it collected with a newline of its own.
        Assert.Equal((ExitCodes.Usage, expected, ""), (exit, stderr.TrimEnd('\n') + "\n", stdout.TrimEnd('\n')));
    }
}
