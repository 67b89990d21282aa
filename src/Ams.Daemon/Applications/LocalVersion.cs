using Aar.Protocol.Management;

namespace Ams.Daemon.Applications;

internal static class VersionStatus
{
    public const string Initializing = "initializing";
    public const string Ready = "ready";
    public const string Error = "error";
}

/// <summary>One stored version.</summary>
internal sealed record LocalVersion(int Number, string Status, string? ErrorMessage, bool Published, DateTimeOffset CreatedAt, string Sha256, long Size, ManifestInfo Manifest);
