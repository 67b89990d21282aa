using System.Collections.Concurrent;
using System.Security.Cryptography;
using Aar.Protocol.Chunking;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Chunks;
using Aar.Server.Problems;
using Aar.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Uploads;

/// <summary>A chunk as the endpoint received it: the claimed range (null = "at the current offset") and its body.</summary>
internal sealed record Chunk(ContentRange? Range, long Length, Stream Body);

/// <summary>
/// Resumable, offset-checked uploads. The persisted offset (the database row) is the truth; bytes live in the
/// <see cref="IUploadStaging"/> (a partial file, or an S3 multipart upload). A chunk must start exactly at the offset
/// (else 416, unlike docker-registry 2.8.2, which appends). The SHA-256 state stays in memory while a node serves
/// the session, and is saved with every recorded offset, so any node (or this one after a restart) continues
/// without re-reading the bytes; without a usable saved state the stored bytes are re-hashed.
/// </summary>
internal sealed partial class UploadSessions(
    UploadDatabase database,
    IUploadStaging staging,
    IBlobStore blobs,
    IChunkIndexes chunkIndexes,
    ChunkOptions chunkOptions,
    TimeProvider time,
    UploadOptions options,
    IEnumerable<IStoredBlobListener> listeners,
    ILogger<UploadSessions> logger)
{
    /// <summary>Offset persisted at least this often during one long chunk, so kill -9 costs at most this much re-transfer.</summary>
    public const long CheckpointBytes = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, LiveSession> _live = new(StringComparer.Ordinal);
    private readonly StagedBytesQuota _quota = new();

    public TimeSpan IdleTimeout => options.IdleTimeout;

    /// <summary>Starts a session; with <paramref name="indexChunks"/> its chunk index is computed as its bytes arrive (see <see cref="SessionChunks"/>).</summary>
    public async Task<ApiResult<UploadSession>> CreateAsync(string publisher, BlobDigest? intended, bool indexChunks, CancellationToken cancellationToken)
    {
        // Checked before anything is staged, so a publisher at its limit costs no file or S3 multipart upload; the
        // insert checks again in its transaction, against concurrent starts.
        var limit = options.MaxSessionsPerPublisher;
        if ((await database.UsageAsync(publisher, cancellationToken)).Sessions >= limit)
        {
            Log.UploadSessionLimitReached(logger, publisher, limit);
            return ApiResult.Failed<UploadSession>(UploadProblems.TooManySessions(limit));
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = time.GetUtcNow();
        var stagingState = await staging.StartAsync(id, intended, cancellationToken);
        var row = new UploadRow(id, publisher, 0, now, now, null, stagingState);
        if (!await database.InsertUnlessAtLimitAsync(row, limit, cancellationToken))
        {
            await staging.DiscardAsync(row, CancellationToken.None);
            Log.UploadSessionLimitReached(logger, publisher, limit);
            return ApiResult.Failed<UploadSession>(UploadProblems.TooManySessions(limit));
        }

        if (indexChunks)
        {
            _live.TryAdd(id, new LiveSession { WantsChunks = true });
        }

        Log.UploadStarted(logger, id, publisher);
        return ApiResult.Ok(Describe(id, 0, now));
    }

    public async Task<ApiResult<UploadSession>> GetAsync(string id, string publisher, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, publisher, cancellationToken);
        return found.Succeeded ? ApiResult.Ok(Describe(id, found.Value!.Received, found.Value.LastActiveAt)) : ApiResult.Failed<UploadSession>(found.Problem!);
    }

    public async Task<ApiResult<UploadSession>> AppendAsync(string id, string publisher, Chunk chunk, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, publisher, cancellationToken);
        if (!found.Succeeded)
        {
            return ApiResult.Failed<UploadSession>(found.Problem!);
        }

        var live = _live.GetOrAdd(id, static _ => new LiveSession());
        if (!await live.Gate.WaitAsync(0, cancellationToken))
        {
            return ApiResult.Failed<UploadSession>(UploadProblems.Busy(id, found.Value!.Received));
        }

        try
        {
            var written = await WriteChunkAsync(id, live, chunk, cancellationToken);
            return written.Succeeded ? ApiResult.Ok(Describe(id, written.Value, time.GetUtcNow())) : ApiResult.Failed<UploadSession>(written.Problem!);
        }
        finally
        {
            live.Gate.Release();
        }
    }

    /// <summary>Appends the optional last chunk, verifies size and digest, and moves the bytes into the blob store.</summary>
    public async Task<ApiResult<BlobPutResult>> CompleteAsync(string id, string publisher, BlobDigest expected, long? declaredSize, Chunk? last, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, publisher, cancellationToken);
        if (!found.Succeeded)
        {
            return ApiResult.Failed<BlobPutResult>(found.Problem!);
        }

        var live = _live.GetOrAdd(id, static _ => new LiveSession());
        if (!await live.Gate.WaitAsync(0, cancellationToken))
        {
            return ApiResult.Failed<BlobPutResult>(UploadProblems.Busy(id, found.Value!.Received));
        }

        try
        {
            if (await PrepareAsync(id, live, cancellationToken) is null)
            {
                return ApiResult.Failed<BlobPutResult>(UploadProblems.Unknown(id));
            }

            if (last is not null)
            {
                var written = await WriteChunkAsync(id, live, last, cancellationToken);
                if (!written.Succeeded)
                {
                    return ApiResult.Failed<BlobPutResult>(written.Problem!);
                }
            }

            var row = await database.GetAsync(id, cancellationToken);
            if (row is null || live.Hash is null || live.HashedTo != row.Received)
            {
                return ApiResult.Failed<BlobPutResult>(UploadProblems.Unknown(id));
            }

            var received = row.Received;
            if (declaredSize is { } size && size != received)
            {
                return ApiResult.Failed<BlobPutResult>(UploadProblems.SizeMismatch(size, received, received));
            }

            var actual = BlobDigest.FromHash(live.Hash.Finish());
            var index = live.Chunks?.Finish(actual, received);
            live.Reset();
            if (actual != expected)
            {
                await DiscardAsync(row, CancellationToken.None);
                Log.UploadDigestMismatch(logger, id, expected.ToString(), actual.ToString());
                return ApiResult.Failed<BlobPutResult>(UploadProblems.DigestMismatch(expected, actual, received));
            }

            // Verified before anything appears at the content address; a store failure here leaves the session
            // (row, bytes and hash state) as it was, so the client may simply repeat the PUT.
            BlobPutResult result;
            try
            {
                result = await staging.CommitAsync(row, actual, CancellationToken.None);
            }
            catch (StorageUnavailableException ex)
            {
                var trace = ProblemTrace.NewId();
                Log.UploadBlobStoreFailed(logger, id, received, trace, ex);
                return ApiResult.Failed<BlobPutResult>(UploadProblems.StorageUnavailable(trace, received));
            }
            catch (StagedForAnotherDigestException ex)
            {
                await DiscardAsync(row, CancellationToken.None);
                Log.UploadDigestMismatch(logger, id, ex.Named, actual.ToString());
                return ApiResult.Failed<BlobPutResult>(UploadProblems.StartedForAnotherDigest(ex.Named, actual, received));
            }

            if (result.Outcome == BlobPutOutcome.Created)
            {
                if (index is not null)
                {
                    await StoreIndexAsync(id, index);
                }

                foreach (var listener in listeners)
                {
                    listener.Stored(actual);
                }
            }

            if (result.Outcome == BlobPutOutcome.AlreadyExists)
            {
                // Someone is about to name this blob: keep it from the collector for a grace period.
                await blobs.TouchAsync(actual, time.GetUtcNow(), CancellationToken.None);
            }

            await DiscardAsync(row, CancellationToken.None);
            Log.UploadCompleted(logger, id, actual.ToString(), received);
            return ApiResult.Ok(result);
        }
        finally
        {
            live.Gate.Release();
        }
    }

    /// <summary>
    /// Keeps the index computed during the upload beside the new blob before the upload answers, so the first client
    /// to ask finds it. A store that fails here costs only time: the blob is indexed in the background instead.
    /// </summary>
    private async Task StoreIndexAsync(string id, ChunkIndex index)
    {
        try
        {
            await chunkIndexes.StoreAsync(index, CancellationToken.None);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or IOException or UnauthorizedAccessException)
        {
            Log.UploadIndexNotStored(logger, id, index.Digest.ToString(), ex.Message);
        }
    }

    public async Task<ApiResult<bool>> CancelAsync(string id, string publisher, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, publisher, cancellationToken);
        if (!found.Succeeded)
        {
            return ApiResult.Failed<bool>(found.Problem!);
        }

        var live = _live.GetOrAdd(id, static _ => new LiveSession());
        if (!await live.Gate.WaitAsync(0, cancellationToken))
        {
            return ApiResult.Failed<bool>(UploadProblems.Busy(id, found.Value!.Received));
        }

        try
        {
            await DiscardAsync(found.Value!, cancellationToken);
            return ApiResult.Ok(true);
        }
        catch (StorageUnavailableException ex)
        {
            var trace = ProblemTrace.NewId();
            Log.UploadBlobStoreFailed(logger, id, found.Value!.Received, trace, ex);
            return ApiResult.Failed<bool>(UploadProblems.StorageUnavailable(trace, found.Value!.Received));
        }
        finally
        {
            live.Gate.Release();
        }
    }

    /// <summary>
    /// Discards sessions expired for at least one reclaim interval (until then a request on one is told
    /// <c>upload-expired</c> rather than <c>upload-unknown</c>); a session being written to is left alone.
    /// </summary>
    public async Task<int> ReclaimExpiredAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.IdleTimeout - UploadReclaimer.IntervalFor(options.IdleTimeout);
        var reclaimed = 0;
        foreach (var row in await database.ListAsync(cancellationToken))
        {
            var live = _live.GetOrAdd(row.Id, static _ => new LiveSession());
            if (row.LastActiveAt >= cutoff || !await live.Gate.WaitAsync(0, cancellationToken))
            {
                continue;
            }

            try
            {
                var bytes = staging.SizeOf(row);
                await DiscardAsync(row, cancellationToken);
                Log.UploadExpired(logger, row.Id, bytes);
                reclaimed++;
            }
            finally
            {
                live.Gate.Release();
            }
        }

        return reclaimed;
    }

    public async Task<(int Sessions, long Bytes)> StatisticsAsync(CancellationToken cancellationToken)
    {
        var rows = await database.ListAsync(cancellationToken);
        return (rows.Count, rows.Sum(staging.SizeOf));
    }

    private async Task<ApiResult<UploadRow>> FindAsync(string id, string publisher, CancellationToken cancellationToken)
    {
        var row = UploadArea.IsValidId(id) ? await database.GetAsync(id, cancellationToken) : null;
        if (row is null || !string.Equals(row.Publisher, publisher, StringComparison.Ordinal))
        {
            return ApiResult.Failed<UploadRow>(UploadProblems.Unknown(id));
        }

        if (time.GetUtcNow() - row.LastActiveAt > options.IdleTimeout)
        {
            // Discarded now unless a request is still writing to it; the reclaimer gets it otherwise.
            var live = _live.GetOrAdd(id, static _ => new LiveSession());
            if (await live.Gate.WaitAsync(0, cancellationToken))
            {
                try
                {
                    await DiscardAsync(row, cancellationToken);
                }
                catch (StorageUnavailableException)
                {
                    // The reclaimer retries once the store is back.
                }
                finally
                {
                    live.Gate.Release();
                }
            }

            return ApiResult.Failed<UploadRow>(UploadProblems.Expired(id, options.IdleTimeout));
        }

        return ApiResult.Ok(row);
    }

    private UploadSession Describe(string id, long received, DateTimeOffset lastActive) => new()
    {
        Id = id,
        Offset = received,
        ExpiresAt = lastActive + options.IdleTimeout,
        Location = RegistryRoutes.Upload(id),
    };

    /// <summary>
    /// Removes a session's bytes, row and live state; the caller holds its gate. Bytes first: if the store fails,
    /// the row stays and names them, so the reclaimer can try again rather than leak them.
    /// </summary>
    private async Task DiscardAsync(UploadRow row, CancellationToken cancellationToken)
    {
        await staging.DiscardAsync(row, cancellationToken);
        await database.DeleteAsync(row.Id, cancellationToken);
        if (_live.TryRemove(row.Id, out var live))
        {
            live.Reset();
        }
    }
}
