namespace Aar.Protocol.Management;

/// <summary>
/// A registry version this AMS refused, as <c>amc registry status</c> and <c>amc application show</c> list it. It is
/// not downloaded again while the registry serves the same <see cref="Digest"/>; <c>amc registry retry</c> forgets it.
/// </summary>
public sealed record RejectedVersionInfo
{
    public required string Application { get; init; }

    public required int Version { get; init; }

    /// <summary>The digest the registry listed for the version, <c>sha256:…</c>.</summary>
    public required string Digest { get; init; }

    /// <summary>The size in bytes the registry listed.</summary>
    public required long Size { get; init; }

    /// <summary>Why it was refused, one sentence.</summary>
    public required string Reason { get; init; }

    public required DateTimeOffset RejectedAt { get; init; }
}
