namespace Aar.Protocol.Registry;

/// <summary><c>GET /1.0/deletions?since=G</c>: deletions with a generation greater than <see cref="Since"/>.</summary>
public sealed record DeletionListing
{
    /// <summary>The registry's current generation.</summary>
    public required long Generation { get; init; }

    public required long Since { get; init; }

    public required IReadOnlyList<DeletionRecord> Deletions { get; init; }
}
