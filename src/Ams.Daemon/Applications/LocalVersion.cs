using Aar.Protocol.Management;

namespace Ams.Daemon.Applications;

/// <summary>Where a stored version is. Stored and shown by its lower-case name (<see cref="VersionStatusNames"/>).</summary>
internal enum VersionStatus
{
    /// <summary>Its package is being validated and imported.</summary>
    Initializing,

    /// <summary>Imported and usable.</summary>
    Ready,

    /// <summary>Its import failed, or its package was found missing or damaged.</summary>
    Error,
}

/// <summary>The names the database (CHECK constraint) and the API use for <see cref="VersionStatus"/>.</summary>
internal static class VersionStatusNames
{
    public static string ToWire(this VersionStatus status) => status switch
    {
        VersionStatus.Initializing => "initializing",
        VersionStatus.Ready => "ready",
        _ => "error",
    };

    /// <summary>The status of a stored name; the schema allows only the three names.</summary>
    public static VersionStatus Parse(string name) => name switch
    {
        "initializing" => VersionStatus.Initializing,
        "ready" => VersionStatus.Ready,
        "error" => VersionStatus.Error,
        _ => throw new FormatException($"Unknown version status '{name}'."),
    };
}

/// <summary>One stored version.</summary>
internal sealed record LocalVersion(int Number, VersionStatus Status, string? ErrorMessage, bool Published, DateTimeOffset CreatedAt, string Sha256, long Size, ManifestInfo Manifest);
