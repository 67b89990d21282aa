namespace Aar.Protocol.Registry;

/// <summary>
/// The registry's answer to a chunk lookup (<see cref="RegistryRoutes.ChunkLookup"/>): which of the asked chunks it
/// already holds, as runs of consecutive asked chunks that lie back to back in one stored blob, so a publisher can
/// name each run as one range to copy (<see cref="UploadCopyRequest"/>).
/// </summary>
public sealed record ChunkMatches
{
    /// <summary>The blobs the runs point into; <see cref="ChunkRun.Blob"/> indexes this list.</summary>
    public required IReadOnlyList<string> Blobs { get; init; }

    /// <summary>The runs, in the order of the asked chunks; chunks in no run are not held.</summary>
    public required IReadOnlyList<ChunkRun> Runs { get; init; }

    /// <summary>
    /// Each blob's size in bytes, in the order of <see cref="Blobs"/> (absent from older registries): lets a publisher
    /// compare a changed end of its package with the end of a stored blob at the fine level.
    /// </summary>
    public IReadOnlyList<long>? Sizes { get; init; }
}

/// <summary>Asked chunks <see cref="First"/> .. <see cref="First"/>+<see cref="Count"/>-1, stored back to back in blob <see cref="Blob"/> from byte <see cref="Offset"/>.</summary>
public sealed record ChunkRun
{
    public required int First { get; init; }

    public required int Count { get; init; }

    /// <summary>Index into <see cref="ChunkMatches.Blobs"/>.</summary>
    public required int Blob { get; init; }

    public required long Offset { get; init; }

    /// <summary>Bytes the run covers (the sum of its chunks' lengths).</summary>
    public required long Length { get; init; }
}
