namespace Aar.Protocol.Chunking;

/// <summary>
/// What a parser accepts before it allocates: an index read from the wire is refused past these, so a hostile or
/// broken peer cannot make the reader hold more than <c>MaxCount × 36</c> bytes.
/// </summary>
/// <param name="MaxCount">Most chunks (default 1,048,576: 16 GiB at the minimum chunk size, 64 GiB at the average; 36 MiB of index).</param>
/// <param name="MaxLength">Largest blob an index may describe, in bytes (default 1 TiB).</param>
public readonly record struct ChunkIndexLimits(int MaxCount, long MaxLength)
{
    public static ChunkIndexLimits Default { get; } = new(1 << 20, 1L << 40);
}
