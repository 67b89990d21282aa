using Aar.Protocol.Registry;
using Aar.Server.Problems;
using Aar.Server.Storage;
using Aar.Server.Storage.Hashing;

namespace Aar.Server.Uploads;

/// <summary>
/// Where a session's bytes wait until it completes: a local partial file (<see cref="FileUploadStaging"/>) or an S3
/// multipart upload plus a small tail object (<c>S3UploadStaging</c>). <see cref="UploadSessions"/> owns the
/// protocol (offsets, gates, hash, expiry); a staging only stores bytes and reports what is durable.
/// </summary>
internal interface IUploadStaging
{
    /// <summary>
    /// Prepares storage for a new session; returns its staging JSON for the row (null when none is needed).
    /// <paramref name="intended"/> is the digest the client says it will send, when it said one (a staging may stage
    /// at that content address; <see cref="CommitAsync"/> then refuses any other digest).
    /// </summary>
    Task<string?> StartAsync(string id, BlobDigest? intended, CancellationToken cancellationToken);

    /// <summary>
    /// Checks the stored bytes still match the row before its saved hash state is trusted (e.g. the partial file
    /// is not shorter than <see cref="UploadRow.Received"/>; bytes past it, from a crash, are cut off).
    /// </summary>
    Task<bool> CheckAsync(UploadRow row, CancellationToken cancellationToken);

    /// <summary>
    /// Re-hashes the stored bytes when no usable hash state was saved; returns the hash and how many bytes it
    /// covers, or null when the stored bytes cannot be read back (an S3 multipart upload) and the session is lost.
    /// </summary>
    Task<(ResumableSha256 Hash, long Received)?> RehashAsync(UploadRow row, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="chunk"/> at <see cref="UploadRow.Received"/>, feeding every byte to
    /// <paramref name="hash"/>, and calls <paramref name="checkpoint"/> in order whenever more bytes are durable, with
    /// the hash state exported after exactly those bytes; at least once at the end, when the hash covers everything
    /// received. Throws <see cref="StorageUnavailableException"/> when the store fails.
    /// </summary>
    Task<IngestResult> AppendAsync(UploadRow row, Chunk chunk, ResumableSha256 hash, UploadCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Moves the verified bytes (size and digest checked by the caller) to the blob's content address.</summary>
    Task<BlobPutResult> CommitAsync(UploadRow row, BlobDigest digest, CancellationToken cancellationToken);

    /// <summary>Deletes everything the session stored.</summary>
    Task DiscardAsync(UploadRow row, CancellationToken cancellationToken);

    /// <summary>Bytes the session occupies, for statistics.</summary>
    long SizeOf(UploadRow row);

    /// <summary>At start, under the data directory lock: deletes what no session names; returns how many.</summary>
    int DeleteOrphans(IReadOnlySet<string> knownIds);
}

/// <summary>Records that the session now durably holds <c>received</c> bytes, with the staging's new JSON and the hash state after them.</summary>
internal delegate Task UploadCheckpoint(long received, string? staging, byte[]? hashState, CancellationToken cancellationToken);

/// <summary>Another writer (another node) moved the session under this one; the caller answers "busy".</summary>
internal sealed class UploadMovedException() : Exception("The upload session was moved by another writer.");
