using Aar.Protocol.Management;

namespace Ams.Daemon.Applications;

/// <summary>An application row with its versions (ascending by number).</summary>
internal sealed record LocalApplication(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Immutable, ApplicationOrigin? Origin, IReadOnlyList<LocalVersion> Versions)
{
    public LocalVersion? Latest => Versions.Count == 0 ? null : Versions[^1];

    public ApplicationInfo ToContract(string architecture)
    {
        var manifest = Latest?.Manifest;
        return new ApplicationInfo
        {
            Id = Id,
            Name = Name,
            Status = (Latest?.Status ?? VersionStatus.Error).ToWire(),
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
                Status = v.Status.ToWire(),
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
