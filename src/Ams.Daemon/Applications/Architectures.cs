using System.Runtime.InteropServices;

namespace Ams.Daemon.Applications;

/// <summary>Architecture names as the original product spells them (Debian style: amd64, arm64).</summary>
public static class Architectures
{
    public static readonly IReadOnlyList<string> Known = ["amd64", "arm64"];

    public static string Host => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };
}
