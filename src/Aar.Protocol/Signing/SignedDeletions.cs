using Aar.Protocol.Registry;

namespace Aar.Protocol.Signing;

/// <summary>The payload of <c>GET /1.0/signed/deletions?since=G</c>: deletions after <see cref="Since"/>, at <see cref="Generation"/>.</summary>
public sealed record SignedDeletions
{
    public const string PayloadType = "application/vnd.aar.deletions+json";

    /// <summary>The registry's current generation.</summary>
    public required long Generation { get; init; }

    public required long Since { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required IReadOnlyList<DeletionRecord> Deletions { get; init; }
}
