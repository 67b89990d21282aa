using Aar.Protocol.Management;

namespace Ams.Daemon.Applications;

internal static class VersionStatus
{
    public const string Initializing = "initializing";
    public const string Ready = "ready";
    public const string Error = "error";
}

/// <summary>One stored version.</summary>
internal sealed record VersionRecord(int Number, string Status, string? ErrorMessage, bool Published, DateTimeOffset CreatedAt, string Sha256, long Size, ManifestInfo Manifest);

/// <summary>An application row with its versions (ascending by number).</summary>
internal sealed record ApplicationRecord(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Immutable, ApplicationOrigin? Origin, IReadOnlyList<VersionRecord> Versions)
{
    public VersionRecord? Latest => Versions.Count == 0 ? null : Versions[^1];

    public ApplicationInfo ToContract(string architecture)
    {
        var manifest = Latest?.Manifest;
        return new ApplicationInfo
        {
            Id = Id,
            Name = Name,
            Status = Latest?.Status ?? VersionStatus.Error,
            InstanceType = manifest?.InstanceType ?? "",
            BootPackage = manifest?.BootPackage ?? "",
            Published = Versions.Any(v => v.Published),
            Immutable = Immutable,
            Architecture = architecture,
            Tags = manifest?.Tags ?? [],
            Addons = manifest?.Addons ?? [],
            Origin = Origin,
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
            Versions = Versions.Select(v => new ApplicationVersionInfo
            {
                Number = v.Number,
                Status = v.Status,
                Published = v.Published,
                ErrorMessage = v.ErrorMessage,
                Sha256 = v.Sha256,
                Size = v.Size,
                CreatedAt = v.CreatedAt,
                Manifest = v.Manifest,
            }).ToList(),
        };
    }
}
