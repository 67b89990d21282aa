using Aar.Protocol.Registry;

namespace Aar.Server.Storage;

/// <summary>
/// Content-addressed blob storage: the one seam between the registry and where bytes live (files under the data
/// directory, <see cref="FileSystemBlobStore"/>, or an S3-compatible bucket, <c>S3BlobStore</c>). Blobs are immutable;
/// a blob that exists is never rewritten.
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

    /// <summary>Deletes a blob; returns false if it was not there.</summary>
    Task<bool> DeleteAsync(BlobDigest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks a blob as just used (a client asked whether it exists, so it may be about to name it in a version): the
    /// garbage collector leaves blobs used within its grace period alone. Returns false if the blob is absent.
    /// </summary>
    Task<bool> TouchAsync(BlobDigest digest, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes a blob found damaged out of service: afterwards it is neither served nor reported present, and a new
    /// upload of the digest stores it afresh. The bytes are kept aside for inspection where the store can (the file
    /// store's <c>quarantine/</c> directory, the S3 store's <c>quarantine/</c> prefix). Returns false if it was absent.
    /// </summary>
    Task<bool> QuarantineAsync(BlobDigest digest, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Every stored blob, in no particular order.</summary>
    IAsyncEnumerable<StoredBlob> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>A stored blob and when it was last written or touched.</summary>
internal sealed record StoredBlob(BlobDigest Digest, long Size, DateTimeOffset LastUsed);

/// <summary>
/// A readable blob. <see cref="PhysicalPath"/> is set when the bytes are a local file, so downloads can use
/// sendfile; otherwise <see cref="OpenAsync"/> streams them from an offset (and for a length, null = to the end), which
/// is how ranged downloads work on a store without seekable streams (S3). <see cref="Redirect"/>, when set, is a
/// short-lived URL the client may fetch the bytes from directly (S3 presigned GET, <c>--s3-redirect on</c>).
/// </summary>
internal sealed record BlobContent(BlobDigest Digest, long Size, string? PhysicalPath, Func<long, long?, CancellationToken, Task<Stream>> OpenAsync, Uri? Redirect = null);

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
