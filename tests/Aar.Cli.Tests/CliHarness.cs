using Aar.Cli.Common;

namespace Aar.Cli.Tests;

internal sealed record CliResult(int ExitCode, string Out, string Error);

/// <summary>Runs the <c>aar</c> command tree in-process with captured stdout/stderr and an optional stdin.</summary>
internal static class CliHarness
{
    public static async Task<CliResult> RunAsync(string[] args, string? stdin = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin ?? "");
        var console = new CliConsole(output, error, input, InputRedirected: stdin is not null, OutputIsTerminal: false);
        var exit = await AarCommand.RunAsync(args, console);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
