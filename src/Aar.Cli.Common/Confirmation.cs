namespace Aar.Cli.Common;

/// <summary>The confirmation prompt of commands that destroy something unless given <c>--yes</c>.</summary>
public static class Confirmation
{
    /// <summary>
    /// Writes <paramref name="question"/> on stderr and reads the answer from stdin; returns the exit code to stop
    /// with (<see cref="ExitCodes.Cancelled"/>: no answer, or not yes), or null to go on.
    /// </summary>
    /// <param name="console">Where to ask.</param>
    /// <param name="question">The whole prompt, ending with its <c>[y/N]</c> hint.</param>
    /// <param name="verb">What <c>--yes</c> does without asking ("delete").</param>
    /// <param name="participle">What did not happen ("deleted").</param>
    /// <param name="enterMeansYes">Whether an empty answer is yes (a <c>[Y/n]</c> prompt).</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public static async Task<int?> AskAsync(CliConsole console, string question, string verb, string participle, bool enterMeansYes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        await console.Error.WriteAsync(question);
        var answer = await console.In.ReadLineAsync(cancellationToken);
        if (answer is null)
        {
            await console.Error.WriteLineAsync();
            return ProblemReporter.Fail(console, $"no answer on standard input; nothing was {participle}. Pass --yes to {verb} without asking.", ExitCodes.Cancelled);
        }

        var normalized = answer.Trim().ToLowerInvariant();
        if (normalized is "y" or "yes" || (enterMeansYes && normalized.Length == 0))
        {
            return null;
        }

        await console.Error.WriteLineAsync($"Nothing was {participle}.");
        return ExitCodes.Cancelled;
    }
}
