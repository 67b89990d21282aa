namespace Aar.Protocol.Admin;

/// <summary><c>POST /admin/1.0/storage/scrub</c>: every stored blob re-hashed and compared with its name.</summary>
public sealed record ScrubReport
{
    public required int Checked { get; init; }

    public required long Bytes { get; init; }

    /// <summary>Digests whose content no longer matches (damaged on disk).</summary>
    public required IReadOnlyList<string> Corrupt { get; init; }

    /// <summary>Digests referenced by a version but absent from the store.</summary>
    public required IReadOnlyList<string> Missing { get; init; }
}
