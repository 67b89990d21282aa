using System.CommandLine;

namespace Aar.Cli.Common;

/// <summary>
/// Invokes a command tree the way both CLIs must behave: output through <see cref="CliConsole"/>, no stack traces
/// unless <c>--verbose</c>, and an unexpected failure is exit code 10 with one sentence.
/// </summary>
public static class CliRunner
{
    public static Option<bool> VerboseOption { get; } = new("--verbose", "-v")
    {
        Description = "Print details (stack traces) when something fails unexpectedly",
        Recursive = true,
    };

    public static async Task<int> RunAsync(RootCommand root, IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(console);
        var parse = root.Parse(args);
        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = console.Out,
                    Error = console.Error,
                    EnableDefaultExceptionHandler = false,
                    // Daemons handle SIGTERM/SIGINT themselves (graceful shutdown); a CLI command just ends.
                    ProcessTerminationTimeout = null,
                },
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine("Cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex)
        {
            ProblemReporter.Fail(console, ex.Message, ExitCodes.Internal);
            if (parse.GetValue(VerboseOption))
            {
                console.Error.WriteLine(ex.ToString());
            }
            else
            {
                console.Error.WriteLine("Run again with --verbose for details.");
            }

            return ExitCodes.Internal;
        }
    }
}
