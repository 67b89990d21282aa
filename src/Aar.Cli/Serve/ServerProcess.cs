using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Aar.Cli.Serve;

/// <summary>
/// Where <c>aar serve</c> and <c>aar migrate</c> run. The admin commands an operator types all day are a Native AOT
/// build (about 20 ms a command instead of 170 ms, docs/benchmarks.md), but the registry itself stays a JIT build
/// (ReadyToRun, tiered PGO for the transfer paths) in <c>server/</c> beside it: the native <c>aar</c> replaces
/// itself with that program (execv: same process id, arguments, environment and descriptors, so systemd's
/// <c>Type=notify</c> and signals reach the server as before). Every other build runs the server in-process.
/// </summary>
internal static partial class ServerProcess
{
    /// <summary>The feature switch the native publish turns off (Aar.Cli.csproj), which also trims the server out of it.</summary>
    public const string InProcessSwitch = "Aar.Cli.ServerInProcess";

    [FeatureSwitchDefinition(InProcessSwitch)]
    public static bool InProcess => !AppContext.TryGetSwitch(InProcessSwitch, out var enabled) || enabled;

    public static string ServerPath => Path.Combine(AppContext.BaseDirectory, "server", "aar");

    /// <summary>
    /// Replaces this process with the server build, passing this process's arguments; returns only on failure, with
    /// <paramref name="failure"/> after one sentence on <paramref name="error"/>.
    /// </summary>
    public static int Exec(string command, TextWriter error, int failure)
    {
        var path = ServerPath;
        string?[] argv = [path, .. Environment.GetCommandLineArgs().Skip(1), null];
        Execv(path, argv);
        error.WriteLine($"aar {command}: cannot start the registry server {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return failure;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execv(string path, string?[] argv);
}
