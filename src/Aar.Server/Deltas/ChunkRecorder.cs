using System.Threading.Channels;
using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;
using Aar.Server.Chunks;
using Aar.Server.Storage;
using Aar.Server.Uploads;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Deltas;

/// <summary>
/// Fills the chunk location table from the blobs' chunk indexes (<see cref="IChunkIndexes"/>: read from the sidecar,
/// or computed once and kept): each blob an upload stores right after, in the background so the upload itself is not
/// slowed; any index computed elsewhere; and at start, then every <see cref="SweepInterval"/>, blobs not yet recorded
/// (stored before this feature, or by a plain PUT). One blob at a time: an index costs a read of the blob.
/// </summary>
internal sealed partial class ChunkRecorder(IBlobStore blobs, IChunkIndexes indexes, ChunkLocations locations, ILogger<ChunkRecorder> logger) : BackgroundService, IStoredBlobListener
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(10);

    private readonly Channel<BlobDigest?> _queue = Channel.CreateUnbounded<BlobDigest?>(new UnboundedChannelOptions { SingleReader = true });

    public void Stored(BlobDigest digest) => _queue.Writer.TryWrite(digest);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // An index computed elsewhere (a download asked for it, a new version scheduled it) is recorded too.
        indexes.Stored += index => _queue.Writer.TryWrite(index.Digest);
        using var sweeps = new PeriodicTimer(SweepInterval);
        _ = Task.Run(async () =>
        {
            do
            {
                _queue.Writer.TryWrite(null);
            }
            while (await sweeps.WaitForNextTickAsync(stoppingToken));
        }, stoppingToken);

        try
        {
            await DrainAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever is still queued is recorded by the next start's sweep.
        }
    }

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        await foreach (var next in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (next is { } digest)
                {
                    await RecordAsync(digest, stoppingToken);
                }
                else
                {
                    await SweepAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next sweep tries again; a lookup meanwhile just finds less to reuse.
                Log.RecordFailed(logger, ex);
            }
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var recorded = await locations.IndexedBlobsAsync(cancellationToken);
        var pending = new List<BlobDigest>();
        await foreach (var blob in blobs.ListAsync(cancellationToken))
        {
            if (!recorded.Contains(blob.Digest.ToString()))
            {
                pending.Add(blob.Digest);
            }
        }

        foreach (var digest in pending)
        {
            await RecordAsync(digest, cancellationToken);
        }
    }

    private async Task RecordAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        // Stored again after a loss (a re-upload of a collected or quarantined blob): its chunks are already known.
        if (await locations.IsRecordedAsync(digest, cancellationToken))
        {
            return;
        }

        // The blob's one chunk index (its sidecar, or computed and kept now), shared with the download side.
        if (await indexes.GetAsync(digest, cancellationToken) is not { } stored)
        {
            return;
        }

        var index = stored.Index;
        if (index.Digest != digest || index.Parameters != ChunkParameters.Default)
        {
            // Another blob's or another chunking's index can never name this blob's bytes for a publisher.
            Log.DamagedBlobSkipped(logger, digest.ToString());
            return;
        }

        var chunks = new List<IndexedChunk>(index.Count);
        foreach (var chunk in index.Chunks())
        {
            var hash = new byte[ChunkHash.Size];
            chunk.Hash.Write(hash);
            chunks.Add(new IndexedChunk(hash, chunk.Offset, chunk.Length));
        }

        await locations.RecordAsync(digest, chunks, cancellationToken);
        Log.ChunksRecorded(logger, digest.ToString(), index.Count);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Recorded the {Chunks} chunks of blob {Digest} as delta sources")]
        public static partial void ChunksRecorded(ILogger logger, string digest, int chunks);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Blob {Digest}: its chunk index does not describe it with the publishers' chunking; it is not used as a delta source")]
        public static partial void DamagedBlobSkipped(ILogger logger, string digest);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Recording chunks for delta uploads failed; the next sweep tries again")]
        public static partial void RecordFailed(ILogger logger, Exception exception);
    }
}
