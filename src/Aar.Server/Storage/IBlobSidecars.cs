using Aar.Protocol.Registry;

namespace Aar.Server.Storage;

/// <summary>
/// Small objects kept beside a blob and derived from it (its chunk index): stored where the blob is (a file next to
/// it, an S3 object next to it), and removed with it when it is deleted or quarantined, so nothing outlives the bytes
/// it describes. Written whole and atomically; rewritable, since anyone can derive them again from the blob.
/// </summary>
internal interface IBlobSidecars
{
    /// <summary>The sidecar kinds a store removes with a blob; a kind is a short lowercase word.</summary>
    static readonly string[] Kinds = ["chunks"];

    /// <summary>The sidecar's bytes, or null if there is none (or it is larger than <paramref name="maxBytes"/>).</summary>
    Task<byte[]?> ReadSidecarAsync(BlobDigest digest, string kind, int maxBytes, CancellationToken cancellationToken = default);

    Task WriteSidecarAsync(BlobDigest digest, string kind, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default);

    /// <summary>Removes every sidecar of the digest (the blob's delete does this too; this is for a blob already gone).</summary>
    Task DeleteSidecarsAsync(BlobDigest digest, CancellationToken cancellationToken = default);
}
