using System.Numerics;

namespace Aar.Protocol.Chunking;

/// <summary>
/// The sizes that steer content-defined chunking, in bytes. Every chunk but the last is at least
/// <see cref="Min"/> and at most <see cref="Max"/> long; boundaries aim at <see cref="Average"/> (a power of two).
/// Both ends of a transfer must chunk with the same parameters for chunks to match, so an index carries them.
/// </summary>
public readonly record struct ChunkParameters(int Min, int Average, int Max)
{
    /// <summary>
    /// 16/64/256 KiB, casync's and desync's defaults: docs/decisions.md records why (reuse found in a changed APK
    /// against the index size and the number of ranges a download asks for).
    /// </summary>
    public static ChunkParameters Default { get; } = new(16 * 1024, 64 * 1024, 256 * 1024);

    /// <summary>
    /// 1/2/8 KiB: the second, finer level of a delta, applied only to the few ranges around an edit. An edit then costs
    /// its own bytes plus about two fine chunks instead of about one 64 KiB chunk (docs/decisions.md).
    /// </summary>
    public static ChunkParameters Fine { get; } = new(1024, 2048, 8192);

    /// <summary>The smallest minimum accepted from the wire: below it an index costs more than the chunks save.</summary>
    public const int SmallestMin = 1024;

    /// <summary>The largest maximum accepted from the wire (bounds what one chunk read may buffer).</summary>
    public const int LargestMax = 16 * 1024 * 1024;

    /// <summary>Null if these parameters can be chunked with, else why not (one sentence).</summary>
    public string? Problem() =>
        Min < SmallestMin ? $"the minimum chunk size {Min} is below {SmallestMin} bytes"
        : Max > LargestMax ? $"the maximum chunk size {Max} is above {LargestMax} bytes"
        : !(Min <= Average && Average <= Max) ? $"the chunk sizes {Min}/{Average}/{Max} are not ordered min <= average <= max"
        : !BitOperations.IsPow2(Average) ? $"the average chunk size {Average} is not a power of two"
        : Average < 256 ? $"the average chunk size {Average} is too small"
        : null;

    public override string ToString() => $"{Min}/{Average}/{Max}";
}
