namespace Aar.Protocol.Management;

/// <summary>One immutable version of an application, numbered from 0.</summary>
public sealed record ApplicationVersionInfo
{
    public required int Number { get; init; }

    /// <summary><c>initializing</c>, <c>ready</c> or <c>error</c>.</summary>
    public required string Status { get; init; }

    public required bool Published { get; init; }

    /// <summary>Why the version is in <c>error</c>; null otherwise.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>SHA-256 of the package as uploaded (lower-case hex).</summary>
    public required string Sha256 { get; init; }

    /// <summary>Size of the package in bytes.</summary>
    public required long Size { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required ManifestInfo Manifest { get; init; }
}
