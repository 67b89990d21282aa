using System.CommandLine;

namespace Amc.Cli;

/// <summary><c>--data-dir</c>: flag, then <c>AMS_DATA_DIR</c>, then <c>/var/lib/ams</c>; amc talks to the daemon through its unix.socket.</summary>
internal static class DataDirectoryOption
{
    public const string EnvironmentVariable = "AMS_DATA_DIR";
    public const string Default = "/var/lib/ams";

    public static Option<string> Create() => new("--data-dir")
    {
        Description = $"AMS data directory (env {EnvironmentVariable}, default {Default}); amc talks to 'ams serve' through its unix.socket",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : Default,
    };
}
