using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;

namespace Aar.Server.Chunks;

/// <summary>
/// One chunk index per stored blob, computed once from the blob's bytes and kept beside it (a sidecar on the file
/// store and on S3). Other features look indexes up here; <see cref="Stored"/> tells them when one is new.
/// </summary>
internal interface IChunkIndexes
{
    /// <summary>
    /// The blob's index: the stored sidecar, or computed now (one pass over the blob; concurrent callers share it) if
    /// there is none yet, e.g. for a blob stored before indexes existed. Null if the blob is not stored.
    /// </summary>
    Task<StoredChunkIndex?> GetAsync(BlobDigest digest, CancellationToken cancellationToken = default);

    /// <summary>Stores an index a caller computed while the bytes streamed past (an upload), so no second pass is needed.</summary>
    Task StoreAsync(ChunkIndex index, CancellationToken cancellationToken = default);

    /// <summary>Asks for the blob's index to be computed soon, in the background (a new version names it).</summary>
    void Schedule(BlobDigest digest);

    /// <summary>Raised after an index was computed or stored (not when an existing sidecar was read).</summary>
    event Action<ChunkIndex>? Stored;
}

/// <summary>An index and its wire form (served as is, never re-serialized per request).</summary>
internal sealed record StoredChunkIndex(ChunkIndex Index, byte[] Wire);
