using Aar.Protocol.Registry;
using Amazon.S3.Model;

namespace Aar.Server.Storage.S3;

/// <summary>
/// The S3 calls an upload session stages its bytes through (implemented by <see cref="S3BlobStore"/>): a multipart
/// upload into a temporary key under the session's prefix, small tail objects, and the final server-side copy to the
/// blob's content address. Every call turns a failing store into <see cref="Problems.StorageUnavailableException"/>;
/// a missing object or upload (404) surfaces as the SDK's <c>AmazonS3Exception</c>, as S3 reports it.
/// </summary>
internal interface IS3MultipartStaging
{
    /// <summary>Bytes per part (<c>--s3-part-size</c>) for sessions started now.</summary>
    long PartSize { get; }

    /// <summary><c>&lt;prefix&gt;blobs/sha256/&lt;hex&gt;</c>: the blob's content address.</summary>
    string BlobKey(BlobDigest digest);

    /// <summary><c>&lt;prefix&gt;uploads/&lt;id&gt;/</c>: everything a session stores lives under it, except a multipart upload started at a content address.</summary>
    string SessionPrefix(string id);

    /// <summary>Starts a multipart upload into <paramref name="key"/>; returns its upload id.</summary>
    Task<string> StartMultipartAsync(string key, CancellationToken cancellationToken);

    /// <summary>Uploads part <paramref name="number"/>; returns its ETag.</summary>
    Task<string> UploadPartAsync(string key, string uploadId, int number, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>Copies the object <paramref name="sourceKey"/> server-side as part <paramref name="number"/>; returns its ETag.</summary>
    Task<string> CopyPartAsync(string sourceKey, string key, string uploadId, int number, CancellationToken cancellationToken);

    Task CompleteAsync(string key, string uploadId, List<PartETag> parts, CancellationToken cancellationToken);

    Task AbortMultipartAsync(string key, string uploadId, CancellationToken cancellationToken);

    /// <summary>Stores the first <paramref name="count"/> bytes of <paramref name="buffer"/> as the object <paramref name="key"/>.</summary>
    Task PutObjectAsync(string key, byte[] buffer, int count, CancellationToken cancellationToken);

    /// <summary>A GET of [offset, offset + length); the returned stream owns the response.</summary>
    Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken);

    /// <summary>The object's size and last change, or null when it does not exist.</summary>
    Task<(long Size, DateTimeOffset Modified)?> HeadAsync(string key, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>The keys under <paramref name="prefix"/>.</summary>
    IAsyncEnumerable<string> ListKeysAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Copies a finished session's object (already verified) to its content address, server-side.</summary>
    Task<BlobPutResult> CommitStagedAsync(string sourceKey, BlobDigest digest, long size, CancellationToken cancellationToken);

    /// <summary>Stores a whole blob (used for the empty blob, which a multipart upload cannot hold).</summary>
    Task<BlobPutResult> PutAsync(Stream content, BlobDigest expected, long size, CancellationToken cancellationToken);
}
