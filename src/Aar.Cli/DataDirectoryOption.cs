using System.CommandLine;

namespace Aar.Cli;

/// <summary><c>--data-dir</c>: flag, then <c>AAR_DATA_DIR</c>, then <c>/var/lib/aar</c>.</summary>
internal static class DataDirectoryOption
{
    public const string EnvironmentVariable = "AAR_DATA_DIR";
    public const string Default = "/var/lib/aar";

    public static Option<string> Create() => new("--data-dir")
    {
        Description = $"Registry data directory (env {EnvironmentVariable}, default {Default}); the CLI talks to the server through its unix.socket",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : Default,
    };
}
