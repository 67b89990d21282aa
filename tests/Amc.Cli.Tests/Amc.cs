using Aar.Cli.Common;

namespace Amc.Cli.Tests;

internal sealed record CliResult(int ExitCode, string Out, string Error);

/// <summary>Runs the <c>amc</c> command tree in-process against a daemon's data directory, with captured output.</summary>
internal static class Amc
{
    public static async Task<CliResult> RunAsync(string dataDirectory, string[] args, string? stdin = null, bool terminal = false)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin ?? "");
        var console = new CliConsole(output, error, input, InputRedirected: stdin is not null, OutputIsTerminal: terminal);
        var exit = await AmcCommand.RunAsync(["--data-dir", dataDirectory, .. args], console);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
