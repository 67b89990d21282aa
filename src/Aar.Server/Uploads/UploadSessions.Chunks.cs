using Aar.Protocol.Http;
using Aar.Server.Problems;
using Aar.Server.Storage;
using Aar.Server.Storage.Hashing;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Uploads;

/// <summary>Writing chunks: offset checks, the streaming copy, and restoring the hash state on any node.</summary>
internal sealed partial class UploadSessions
{
    /// <summary>Writes one chunk at the session offset; returns the new offset. Caller holds the session gate.</summary>
    private async Task<ApiResult<long>> WriteChunkAsync(string id, LiveSession live, Chunk chunk, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(id, live, cancellationToken) is not { } row)
        {
            // Finished or cancelled between the lookup and taking the gate.
            return ApiResult.Failed<long>(UploadProblems.Unknown(id));
        }

        var received = row.Received;
        var start = chunk.Range?.Start ?? received;
        if (start != received)
        {
            return ApiResult.Failed<long>(UploadProblems.OffsetMismatch(start, received));
        }

        if (received + chunk.Length > options.MaxBlobBytes)
        {
            return ApiResult.Failed<long>(UploadProblems.TooLarge(received + chunk.Length, options.MaxBlobBytes));
        }

        var staged = (await database.UsageAsync(row.Publisher, cancellationToken)).Bytes;
        if (!_quota.TryReserve(row.Publisher, staged, chunk.Length, options.StagedBytesCap, out var held))
        {
            Log.UploadQuotaReached(logger, row.Publisher, id, held, chunk.Length, options.StagedBytesCap);
            return ApiResult.Failed<long>(UploadProblems.QuotaExceeded(held, chunk.Length, options.StagedBytesCap, received));
        }

        try
        {
            return await WriteReservedChunkAsync(id, row, live, chunk, cancellationToken);
        }
        finally
        {
            _quota.Release(row.Publisher, chunk.Length);
        }
    }

    private async Task<ApiResult<long>> WriteReservedChunkAsync(string id, UploadRow row, LiveSession live, Chunk chunk, CancellationToken cancellationToken)
    {
        var received = row.Received;
        var hash = live.Hash!;
        var durable = received;
        if (live.Chunks is { } seen && seen.Length != received)
        {
            live.DropChunks();
        }

        var body = live.Chunks?.Tee(chunk.Body) ?? chunk.Body;
        IngestResult ingest;
        try
        {
            ingest = await staging.AppendAsync(row, chunk with { Body = body }, hash, async (now, stagingState, hashState, token) =>
            {
                // The state is the hash after exactly `now` bytes: saved with the offset it belongs to.
                if (!await database.UpdateProgressAsync(id, durable, now, time.GetUtcNow(), hashState, stagingState, token))
                {
                    throw new UploadMovedException();
                }

                durable = now;
            }, cancellationToken);
            // After the last checkpoint the hash covers exactly what the session holds; the chunk index must too
            // (it read one byte more from an over-long body, or bytes past the last checkpoint of a broken one).
            live.HashedTo = durable;
            if (live.Chunks is { } indexed && indexed.Length != durable)
            {
                live.DropChunks();
            }
        }
        catch (StorageUnavailableException ex)
        {
            // The in-memory hash may be ahead of the durable bytes: the saved state is the truth from here.
            live.Reset();
            var trace = ProblemTrace.NewId();
            Log.UploadBlobStoreFailed(logger, id, durable, trace, ex);
            return ApiResult.Failed<long>(UploadProblems.StorageUnavailable(trace, durable));
        }
        catch (UploadMovedException)
        {
            live.Reset();
            return ApiResult.Failed<long>(UploadProblems.Busy(id, (await database.GetAsync(id, CancellationToken.None))?.Received ?? durable));
        }
        catch
        {
            // A failed write (disk full, I/O error) leaves the hash state unknown: restore it from the row next time.
            live.Reset();
            throw;
        }

        var total = received + ingest.Written;
        if (ingest.End == IngestEnd.Failed || ingest.Written < chunk.Length)
        {
            Log.UploadChunkBroken(logger, id, total, ingest.Error?.Message ?? "body ended early");
            return ApiResult.Failed<long>(UploadProblems.Incomplete(total));
        }

        return ingest.End == IngestEnd.TooLong
            ? ApiResult.Failed<long>(UploadProblems.InvalidRange($"The body is longer than the {chunk.Length} bytes its Content-Range and Content-Length declare; the declared bytes were kept, the session holds {total}."))
            : ApiResult.Ok(total);
    }

    /// <summary>
    /// Makes sure the in-memory hash covers exactly the persisted offset: kept from the last chunk on this node,
    /// restored from the saved state (written by any node), or, failing both, rebuilt by re-hashing the stored bytes.
    /// Returns the session's row, or null if the session no longer exists (or its bytes cannot be hashed again).
    /// </summary>
    private async Task<UploadRow?> PrepareAsync(string id, LiveSession live, CancellationToken cancellationToken)
    {
        var row = await database.GetAsync(id, cancellationToken);
        if (row is null)
        {
            return null;
        }

        if (live.Hash is not null && live.HashedTo == row.Received)
        {
            return row;
        }

        live.Reset();
        if (row.Received == 0)
        {
            // Also rules out a session whose storage another blob store made (--blob-store changed meanwhile).
            if (!await staging.CheckAsync(row, cancellationToken))
            {
                Log.UploadUnrecoverable(logger, id, 0);
                await DiscardAsync(row, cancellationToken);
                return null;
            }

            live.Hash = ResumableSha256.Create();
            if (live.WantsChunks)
            {
                live.Chunks = new SessionChunks(chunkOptions.Parameters);
            }
        }
        else if (row.HashState is { } state && ResumableSha256.Import(state, row.Received) is { } restored)
        {
            if (await staging.CheckAsync(row, cancellationToken))
            {
                live.Hash = restored;
                Log.UploadResumed(logger, id, row.Received);
            }
            else
            {
                restored.Dispose();
            }
        }

        if (live.Hash is null)
        {
            if (await staging.RehashAsync(row, cancellationToken) is not var (hash, received))
            {
                Log.UploadUnrecoverable(logger, id, row.Received);
                await DiscardAsync(row, cancellationToken);
                return null;
            }

            if (received != row.Received)
            {
                await database.UpdateProgressAsync(id, row.Received, received, row.LastActiveAt, hash.ExportState(), row.Staging, cancellationToken);
                row = row with { Received = received, HashState = hash.ExportState() };
            }

            Log.UploadRehashed(logger, id, received);
            live.Hash = hash;
        }

        live.HashedTo = row.Received;
        return row;
    }

    /// <summary>What a session needs while a node serves it: one writer at a time, and the running hash.</summary>
    private sealed class LiveSession
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public ResumableSha256? Hash { get; set; }

        public long HashedTo { get; set; } = -1;

        /// <summary>The session was started with <c>?index=chunks</c> on this node.</summary>
        public bool WantsChunks { get; init; }

        /// <summary>The chunk index of every byte from the first, while no byte was missed (see <see cref="SessionChunks"/>).</summary>
        public SessionChunks? Chunks { get; set; }

        public void DropChunks()
        {
            Chunks?.Dispose();
            Chunks = null;
        }

        public void Reset()
        {
            Hash?.Dispose();
            Hash = null;
            HashedTo = -1;
            DropChunks();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a new upload from {Fingerprint}: it has {Limit} sessions open (--max-upload-sessions)")]
        public static partial void UploadSessionLimitReached(ILogger logger, string fingerprint, int limit);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a {Chunk}-byte chunk for upload {Upload} from {Fingerprint}: its sessions hold {Held} of {Cap} bytes (--max-staged-bytes)")]
        public static partial void UploadQuotaReached(ILogger logger, string fingerprint, string upload, long held, long chunk, long cap);

        // Debug: a session that completes logs UploadCompleted, one that does not logs why; its start is per-request detail.
        [LoggerMessage(Level = LogLevel.Debug, Message = "Upload {Upload} started by {Fingerprint}")]
        public static partial void UploadStarted(ILogger logger, string upload, string fingerprint);

        [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} completed as {Digest} ({Size} bytes)")]
        public static partial void UploadCompleted(ILogger logger, string upload, string digest, long size);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {Upload} discarded: declared digest {Expected}, received {Actual}")]
        public static partial void UploadDigestMismatch(ILogger logger, string upload, string expected, string actual);

        [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} chunk broke off at offset {Offset}: {Reason}; the session stays resumable")]
        public static partial void UploadChunkBroken(ILogger logger, string upload, long offset, string reason);

        // Debug: with several nodes behind a load balancer, any chunk may land on a node that resumes this way.
        [LoggerMessage(Level = LogLevel.Debug, Message = "Upload {Upload} continues at offset {Offset} from its saved hash state")]
        public static partial void UploadResumed(ILogger logger, string upload, long offset);

        [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} hash state rebuilt from {Offset} stored bytes")]
        public static partial void UploadRehashed(ILogger logger, string upload, long offset);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {Upload} discarded: its {Offset} stored bytes cannot be continued here (no saved hash state, is libcrypto.so.3 loadable? or started on another blob store)")]
        public static partial void UploadUnrecoverable(ILogger logger, string upload, long offset);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {Upload}: the blob store failed (trace id {TraceId}); the session keeps its {Offset} durable bytes")]
        public static partial void UploadBlobStoreFailed(ILogger logger, string upload, long offset, string traceId, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {Upload}: the chunk index of {Digest} was computed but not stored ({Reason}); it is computed again in the background")]
        public static partial void UploadIndexNotStored(ILogger logger, string upload, string digest, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} expired; reclaimed {Bytes} bytes")]
        public static partial void UploadExpired(ILogger logger, string upload, long bytes);
    }
}
