using System.Buffers;
using System.Security.Cryptography;
using Aar.Protocol.Http;
using Aar.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Uploads;

/// <summary>Writing chunks: offset checks, the streaming copy, and rebuilding hash state after a restart.</summary>
internal sealed partial class UploadSessions
{
    /// <summary>Writes one chunk at the session offset; returns the new offset. Caller holds the session gate.</summary>
    private async Task<ApiResult<long>> WriteChunkAsync(string id, LiveSession live, Chunk chunk, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(id, live, cancellationToken) is not { } received)
        {
            // Finished or cancelled between the lookup and taking the gate.
            return ApiResult.Failed<long>(UploadProblems.Unknown(id));
        }

        var start = chunk.Range?.Start ?? received;
        if (start != received)
        {
            return ApiResult.Failed<long>(UploadProblems.OffsetMismatch(start, received));
        }

        if (received + chunk.Length > options.MaxBlobBytes)
        {
            return ApiResult.Failed<long>(UploadProblems.TooLarge(received + chunk.Length, options.MaxBlobBytes));
        }

        IngestResult ingest;
        try
        {
            using var handle = File.OpenHandle(area.PathOf(id), FileMode.OpenOrCreate, FileAccess.Write, FileShare.None);
            ingest = await StreamIngest.CopyAsync(chunk.Body, handle, received, chunk.Length, live.Hash!, CheckpointBytes,
                (written, token) => database.UpdateReceivedAsync(id, received + written, time.GetUtcNow(), token), cancellationToken);
            RandomAccess.FlushToDisk(handle);
        }
        catch
        {
            // A failed write (disk full, I/O error) leaves the hash state unknown: rebuild it from the file next time.
            live.Reset();
            throw;
        }

        var now = received + ingest.Written;
        // Persisted even when the client is gone (its token is cancelled): these bytes are durably stored.
        await database.UpdateReceivedAsync(id, now, time.GetUtcNow(), CancellationToken.None);
        live.HashedTo = now;
        if (ingest.End == IngestEnd.Failed || ingest.Written < chunk.Length)
        {
            Log.ChunkBroken(logger, id, now, ingest.Error?.Message ?? "body ended early");
            return ApiResult.Failed<long>(UploadProblems.Incomplete(now));
        }

        return ingest.End == IngestEnd.TooLong
            ? ApiResult.Failed<long>(UploadProblems.InvalidRange($"The body is longer than the {chunk.Length} bytes its Content-Range and Content-Length declare; the declared bytes were kept, the session holds {now}."))
            : ApiResult.Ok(now);
    }

    /// <summary>
    /// Makes sure the in-memory hash covers exactly the persisted offset, re-hashing the partial file after a restart
    /// or a failed write, and cutting off bytes written past the last persisted offset (a crash mid-chunk).
    /// Returns the offset the session really has, or null if the session no longer exists.
    /// </summary>
    private async Task<long?> PrepareAsync(string id, LiveSession live, CancellationToken cancellationToken)
    {
        var row = await database.GetAsync(id, cancellationToken);
        if (row is null)
        {
            return null;
        }

        if (live.Hash is not null && live.HashedTo == row.Received)
        {
            return row.Received;
        }

        live.Reset();
        var path = area.PathOf(id);
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.SequentialScan);
        var received = Math.Min(row.Received, file.Length);
        file.SetLength(received);
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(StreamIngest.BatchSize);
        try
        {
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, StreamIngest.BatchSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (received != row.Received)
        {
            await database.UpdateReceivedAsync(id, received, row.LastActiveAt, cancellationToken);
        }

        if (received > 0)
        {
            Log.Rehashed(logger, id, received);
        }

        live.Hash = hash;
        live.HashedTo = received;
        return received;
    }

    /// <summary>What a session needs while the server runs: one writer at a time, and the running hash.</summary>
    private sealed class LiveSession
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public IncrementalHash? Hash { get; set; }

        public long HashedTo { get; set; } = -1;

        public void Reset()
        {
            Hash?.Dispose();
            Hash = null;
            HashedTo = -1;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} started by {Fingerprint}")]
        public static partial void Started(ILogger logger, string upload, string fingerprint);

        [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} completed as {Digest} ({Size} bytes)")]
        public static partial void Completed(ILogger logger, string upload, string digest, long size);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {Upload} discarded: declared digest {Expected}, received {Actual}")]
        public static partial void DigestMismatch(ILogger logger, string upload, string expected, string actual);

        [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} chunk broke off at offset {Offset}: {Reason}; the session stays resumable")]
        public static partial void ChunkBroken(ILogger logger, string upload, long offset, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} hash state rebuilt from {Offset} stored bytes")]
        public static partial void Rehashed(ILogger logger, string upload, long offset);

        [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} expired; reclaimed {Bytes} bytes")]
        public static partial void Reclaimed(ILogger logger, string upload, long bytes);
    }
}
