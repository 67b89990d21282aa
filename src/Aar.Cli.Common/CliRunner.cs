using System.CommandLine;
using System.CommandLine.Invocation;

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

    /// <summary>Runs <paramref name="root"/>, naming it in usage errors by the executable's name.</summary>
    public static Task<int> RunAsync(RootCommand root, IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        return RunAsync(root.Name, root, args, console, cancellationToken);
    }

    /// <summary>Runs <paramref name="root"/>; <paramref name="program"/> names it in usage errors (<c>aar trust</c>).</summary>
    public static async Task<int> RunAsync(string program, RootCommand root, IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(console);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // One line and a hint instead of the parser's default (every error, then the whole help).
            return UsageErrors.Report(program, parse, console);
        }

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
