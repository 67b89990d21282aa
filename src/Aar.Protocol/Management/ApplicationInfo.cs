namespace Aar.Protocol.Management;

/// <summary>
/// An application as <c>GET /1.0/applications/{id}</c> returns it. Application-level fields (instance type, tags,
/// boot package, ...) come from the manifest of the latest version; <see cref="Status"/> follows that version too.
/// </summary>
public sealed record ApplicationInfo
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary><c>initializing</c>, <c>ready</c> or <c>error</c>: the status of the latest version.</summary>
    public required string Status { get; init; }

    public string InstanceType { get; init; } = "";

    public string BootPackage { get; init; } = "";

    /// <summary>True when at least one version is published.</summary>
    public required bool Published { get; init; }

    /// <summary>True for applications imported from a registry: only the registry may change them.</summary>
    public required bool Immutable { get; init; }

    public required string Architecture { get; init; }

    public List<string> Tags { get; init; } = [];

    public List<string> Addons { get; init; } = [];

    /// <summary>Where an immutable application came from; null for applications created on this AMS.</summary>
    public ApplicationOrigin? Origin { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public List<ApplicationVersionInfo> Versions { get; init; } = [];

    /// <summary>Registry versions of this name that this AMS refused, and why; null when there are none.</summary>
    public IReadOnlyList<RejectedVersionInfo>? Rejected { get; init; }
}

/// <summary>The registry an immutable application was imported from.</summary>
public sealed record ApplicationOrigin
{
    public required string RegistryUrl { get; init; }

    public required string Fingerprint { get; init; }
}
