using TestSupport;

namespace Aar.Cli.Tests;

/// <summary>The built <c>aar</c> executable as a real child process (see <see cref="ChildProcess"/>).</summary>
internal static class AarProcess
{
    public const int SigKill = ChildProcess.SigKill;
    public const int SigTerm = ChildProcess.SigTerm;

    public static ChildProcess Start(params string[] args) => ChildProcess.Start("aar", args);

    /// <summary>Runs <c>aar</c> to completion with <paramref name="stdin"/> piped in, as a shell pipeline would.</summary>
    public static async Task<CliResult> RunAsync(string? stdin, params string[] args)
    {
        var (exit, output, error) = await ChildProcess.RunAsync("aar", stdin, args);
        return new CliResult(exit, output, error);
    }

    public static int FreePort() => ChildProcess.FreePort();

    public static Task WaitUntilReadyAsync(this ChildProcess server, string socketPath, TimeSpan timeout) =>
        server.WaitUntilReadyAsync(socketPath, "Registry listening on", timeout);
}
