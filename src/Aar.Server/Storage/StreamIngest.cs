using Aar.IO;
using Aar.Server.Storage.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Aar.Server.Storage;

/// <summary>
/// The upload hot path: copies a request body into a file at an offset, hashing exactly the bytes written.
/// Kestrel hands out TLS request bodies 4 KiB per read; they are gathered into <see cref="FileWrites.BatchSize"/>
/// before hashing and writing (why that size: see there). A failed read (client gone) still writes and hashes what
/// arrived before it, so a resumable session keeps every byte it received and its hash state stays exact.
/// </summary>
internal static class StreamIngest
{
    public const int BatchSize = FileWrites.BatchSize;

    /// <summary>
    /// Reads at most <paramref name="limit"/> bytes plus one (so an over-long body is detected without storing it),
    /// and calls <paramref name="checkpoint"/> with the bytes written so far (the hash then covers exactly them), after
    /// an fsync, every
    /// <paramref name="checkpointInterval"/> bytes.
    /// </summary>
    public static async Task<IngestResult> CopyAsync(
        Stream source,
        SafeFileHandle file,
        long fileOffset,
        long limit,
        ResumableSha256 hash,
        long checkpointInterval,
        Func<long, CancellationToken, Task>? checkpoint,
        CancellationToken cancellationToken)
    {
        // Hash and write on other cores while Kestrel decrypts the next batch (PipelinedFileWriter).
        await using var writer = new PipelinedFileWriter(file, fileOffset, hash.Append);
        long written = 0;
        var nextCheckpoint = checkpointInterval;
        while (true)
        {
            var buffer = writer.Buffer;
            var filled = 0;
            var ended = false;
            Exception? failure = null;
            // Never read past limit + 1: one extra byte proves the body is too long.
            var want = (int)Math.Min(BatchSize, limit + 1 - written);
            while (filled < want)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer[filled..want], cancellationToken);
                }
                // Kestrel's BadHttpRequestException (body shorter than Content-Length) and connection resets are IOExceptions.
                catch (Exception ex) when (ex is IOException or OperationCanceledException)
                {
                    failure = ex;
                    break;
                }

                if (read == 0)
                {
                    ended = true;
                    break;
                }

                filled += read;
            }

            var keep = (int)Math.Min(filled, limit - written);
            await writer.SubmitAsync(keep);
            written += keep;
            if (failure is not null || filled > keep || ended)
            {
                await writer.CompleteAsync();
                return failure is not null ? new IngestResult(written, IngestEnd.Failed, failure)
                    : filled > keep ? new IngestResult(written, IngestEnd.TooLong, null)
                    : new IngestResult(written, IngestEnd.Completed, null);
            }

            if (checkpoint is not null && written >= nextCheckpoint)
            {
                await writer.CompleteAsync();
                RandomAccess.FlushToDisk(file);
                // Not the request's token: these bytes are on disk, so their offset is recorded even if the client
                // left during the fsync. A cancelled checkpoint lost the bytes since the last one and skipped the
                // "chunk broke off" bookkeeping, which the session needs to stay resumable at the true offset.
                await checkpoint(written, CancellationToken.None);
                nextCheckpoint = written + checkpointInterval;
            }
        }
    }
}

internal enum IngestEnd
{
    /// <summary>The source ended within the limit.</summary>
    Completed,

    /// <summary>The source had more than the limit; the excess was not written.</summary>
    TooLong,

    /// <summary>Reading the source failed (the client disconnected or the request was aborted).</summary>
    Failed,
}

internal sealed record IngestResult(long Written, IngestEnd End, Exception? Error);
