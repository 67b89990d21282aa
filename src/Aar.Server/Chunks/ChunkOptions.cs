using Aar.Protocol.Chunking;

namespace Aar.Server.Chunks;

/// <summary>What the chunk feature is given by the composition root.</summary>
internal sealed record ChunkOptions
{
    /// <summary>The parameters new indexes are computed with (default 16/64/256 KiB).</summary>
    public ChunkParameters Parameters { get; init; } = ChunkParameters.Default;

    /// <summary>Most ranges one <c>POST …/ranges</c> may ask for (default 4,096: 256 MiB of 64 KiB chunks).</summary>
    public int MaxRanges { get; init; } = 4096;

    /// <summary>Most bytes one <c>POST …/ranges</c> may ask for, in bytes (default 256 MiB).</summary>
    public long MaxRangeBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Most bytes one <c>POST …/signatures</c> may ask to be read and hashed (default 64 MiB, about 0.2 CPU-seconds):
    /// a delta asks only for the ranges around its edits, and a caller cannot make one request cost more than that.
    /// </summary>
    public long MaxSignatureBytes { get; init; } = 64L * 1024 * 1024;
}
