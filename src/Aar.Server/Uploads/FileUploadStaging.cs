using System.Buffers;
using Aar.IO;
using Aar.Protocol.Registry;
using Aar.Server.Storage;
using Aar.Server.Storage.Hashing;

namespace Aar.Server.Uploads;

/// <summary>
/// Sessions as partial files in <c>&lt;data&gt;/uploads/&lt;id&gt;</c>, on the blobs' file system so completing is a
/// rename. Each chunk is fsynced before its offset is recorded; the offset is checkpointed every
/// <see cref="UploadSessions.CheckpointBytes"/> during a long chunk.
/// </summary>
internal sealed class FileUploadStaging(UploadArea area, FileSystemBlobStore blobs) : IUploadStaging
{
    /// <summary>The partial file is renamed to its content address at completion, whatever the client announced.</summary>
    public Task<string?> StartAsync(string id, BlobDigest? intended, CancellationToken cancellationToken)
    {
        File.Create(area.PathOf(id)).Dispose();
        return Task.FromResult<string?>(null);
    }

    public Task<bool> CheckAsync(UploadRow row, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(area.PathOf(row.Id), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var length = RandomAccess.GetLength(handle);
        if (length < row.Received)
        {
            return Task.FromResult(false);
        }

        // Bytes past the recorded offset were written by a chunk that crashed before recording them.
        if (length > row.Received)
        {
            RandomAccess.SetLength(handle, row.Received);
        }

        return Task.FromResult(true);
    }

    public async Task<(ResumableSha256 Hash, long Received)?> RehashAsync(UploadRow row, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(area.PathOf(row.Id), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.SequentialScan);
        var received = Math.Min(row.Received, file.Length);
        file.SetLength(received);
        var hash = ResumableSha256.Create();
        var buffer = ArrayPool<byte>.Shared.Rent(StreamIngest.BatchSize);
        try
        {
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, StreamIngest.BatchSize), cancellationToken)) > 0)
            {
                hash.Append(buffer.AsSpan(0, read));
            }
        }
        catch
        {
            hash.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (hash, received);
    }

    public async Task<IngestResult> AppendAsync(UploadRow row, Chunk chunk, ResumableSha256 hash, UploadCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        IngestResult ingest;
        using (var handle = File.OpenHandle(area.PathOf(row.Id), FileMode.OpenOrCreate, FileAccess.Write, FileShare.None))
        {
            ingest = await StreamIngest.CopyAsync(chunk.Body, handle, row.Received, chunk.Length, hash, UploadSessions.CheckpointBytes,
                (written, token) => checkpoint(row.Received + written, null, hash.ExportState(), token), cancellationToken);
            RandomAccess.FlushToDisk(handle);
        }

        if (row.Received == 0)
        {
            // The first chunk created the file: its directory entry must be on disk before the row says it holds bytes.
            DurableDirectory.Flush(Path.GetDirectoryName(area.PathOf(row.Id))!);
        }

        // Recorded even when the client is gone (its token is cancelled): these bytes are durably stored.
        await checkpoint(row.Received + ingest.Written, null, hash.ExportState(), CancellationToken.None);
        return ingest;
    }

    public Task<BlobPutResult> CommitAsync(UploadRow row, BlobDigest digest, CancellationToken cancellationToken) =>
        // The file was fsynced after every chunk; the store only renames it into place.
        blobs.CommitVerifiedFileAsync(area.PathOf(row.Id), digest, row.Received);

    public Task DiscardAsync(UploadRow row, CancellationToken cancellationToken)
    {
        area.Delete(row.Id);
        return Task.CompletedTask;
    }

    public long SizeOf(UploadRow row) => area.SizeOf(row.Id);

    public int DeleteOrphans(IReadOnlySet<string> knownIds) => area.DeleteOrphans(knownIds) + blobs.DeleteOrphanedTemporaryFiles();
}
