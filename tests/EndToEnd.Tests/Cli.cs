using System.Diagnostics;

namespace EndToEnd.Tests;

/// <summary>
/// Runs a built CLI (<c>aar</c> or <c>amc</c>, next to the test assembly) to completion as a child process, the way an
/// operator's shell does: arguments as typed, the data directory from the environment (<c>AAR_DATA_DIR</c>,
/// <c>AMS_DATA_DIR</c>) so the command line reads exactly like the seed's, an optional working directory for relative
/// file names, and an optional standard input (<c>cat client.crt | aar trust add</c>).
/// </summary>
internal static class Cli
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    public static async Task<CliResult> RunAsync(string executable, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, string workingDirectory, string? stdin = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, executable))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Nothing from the test runner's environment may point the CLI at another daemon.
        info.Environment.Remove("AAR_DATA_DIR");
        info.Environment.Remove("AMS_DATA_DIR");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var commandLine = $"{executable} {string.Join(' ', args)}";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {commandLine}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cancellation = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"'{commandLine}' did not finish within {timeout ?? DefaultTimeout}:\n{await stdout}\n{await stderr}");
        }

        return new CliResult(commandLine, process.ExitCode, await stdout, await stderr);
    }
}
