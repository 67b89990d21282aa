namespace EndToEnd.Tests;

/// <summary>What one run of <c>aar</c> or <c>amc</c> left behind: its exit code, standard output and standard error.</summary>
internal sealed record CliResult(string CommandLine, int ExitCode, string Out, string Error)
{
    /// <summary>For assertion messages: the command and everything it printed.</summary>
    public override string ToString() => $"$ {CommandLine}\nexit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}
