using Aar.Protocol.Registry;

namespace Aar.Server.Storage;

/// <summary>
/// Content-addressed blob storage: the one seam between the registry and where bytes live (a file system now, an
/// S3-compatible store later). Blobs are immutable; a blob that exists is never rewritten.
/// </summary>
internal interface IBlobStore
{
    /// <summary>The stored blob's size in bytes, or null if the store does not have it.</summary>
    Task<long?> GetSizeAsync(BlobDigest digest, CancellationToken cancellationToken = default);

    /// <summary>Opens a stored blob for reading, or returns null if the store does not have it.</summary>
    Task<BlobContent?> OpenReadAsync(BlobDigest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="content"/> (read to its end, hashed while streaming) if it is exactly
    /// <paramref name="size"/> bytes with digest <paramref name="expected"/>; otherwise nothing becomes visible.
    /// </summary>
    Task<BlobPutResult> PutAsync(Stream content, BlobDigest expected, long size, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a local file whose size and digest the caller has already verified (a finished upload session) into
    /// the store. The file is consumed either way.
    /// </summary>
    Task<BlobPutResult> CommitVerifiedFileAsync(string path, BlobDigest digest, long size, CancellationToken cancellationToken = default);

    /// <summary>Deletes a blob; returns false if it was not there.</summary>
    Task<bool> DeleteAsync(BlobDigest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks a blob as just used (a client asked whether it exists, so it may be about to name it in a version): the
    /// garbage collector leaves blobs used within its grace period alone. Returns false if the blob is absent.
    /// </summary>
    Task<bool> TouchAsync(BlobDigest digest, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Every stored blob, in no particular order.</summary>
    IAsyncEnumerable<StoredBlob> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>A stored blob and when it was last written or touched.</summary>
internal sealed record StoredBlob(BlobDigest Digest, long Size, DateTimeOffset LastUsed);

/// <summary>
/// A readable blob. <see cref="PhysicalPath"/> is set when the bytes are a local file, so downloads can use
/// sendfile; otherwise <see cref="Open"/> streams them.
/// </summary>
internal sealed record BlobContent(BlobDigest Digest, long Size, string? PhysicalPath, Func<Stream> Open);

internal enum BlobPutOutcome
{
    Created,
    AlreadyExists,
    DigestMismatch,
    SizeMismatch,

    /// <summary>The content ended early or its reader failed (e.g. the client disconnected).</summary>
    Incomplete,
}

/// <summary>What a put did, with the digest and size actually received (for the error message).</summary>
internal sealed record BlobPutResult(BlobPutOutcome Outcome, BlobDigest Digest, long Size, Exception? Error = null);
