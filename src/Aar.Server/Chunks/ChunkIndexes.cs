using System.Collections.Concurrent;
using System.Threading.Channels;
using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;
using Aar.Server.Problems;
using Aar.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Chunks;

/// <summary>
/// Indexes as <c>chunks</c> sidecars. A sidecar that is damaged, describes other bytes or was made with other
/// parameters is recomputed and rewritten; a blob whose bytes do not match its digest gets no index (the scrub
/// quarantines it).
/// </summary>
internal sealed partial class ChunkIndexes(IBlobStore blobs, IBlobSidecars sidecars, ChunkOptions options, ChunkMetrics metrics, ILogger<ChunkIndexes> logger) : IChunkIndexes
{
    private const string Kind = "chunks";
    private readonly ConcurrentDictionary<BlobDigest, Lazy<Task<StoredChunkIndex?>>> _computing = new();
    private readonly Channel<BlobDigest> _scheduled = Channel.CreateBounded<BlobDigest>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite });

    public event Action<ChunkIndex>? Stored;

    internal ChannelReader<BlobDigest> Scheduled => _scheduled.Reader;

    public void Schedule(BlobDigest digest) => _scheduled.Writer.TryWrite(digest);

    public async Task<StoredChunkIndex?> GetAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        if (await ReadSidecarAsync(digest, cancellationToken) is { } stored)
        {
            return stored;
        }

        // One computation per blob however many callers ask at once; it runs to its end even if the first caller
        // goes away, since the next one would need it anyway.
        var lazy = _computing.GetOrAdd(digest, d => new Lazy<Task<StoredChunkIndex?>>(() => ComputeAsync(d)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (lazy.Value.IsCompleted)
            {
                _computing.TryRemove(new KeyValuePair<BlobDigest, Lazy<Task<StoredChunkIndex?>>>(digest, lazy));
            }
        }
    }

    public async Task StoreAsync(ChunkIndex index, CancellationToken cancellationToken)
    {
        var wire = ChunkIndexWire.Serialize(index);
        await sidecars.WriteSidecarAsync(index.Digest, Kind, wire, cancellationToken);
        Stored?.Invoke(index);
    }

    private async Task<StoredChunkIndex?> ReadSidecarAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        var limits = ChunkIndexLimits.Default;
        var bytes = await sidecars.ReadSidecarAsync(digest, Kind, (int)ChunkIndexWire.SizeOf(limits.MaxCount), cancellationToken);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            var index = ChunkIndexWire.Parse(bytes, limits);
            return index.Digest == digest && index.Parameters == options.Parameters ? new StoredChunkIndex(index, bytes) : null;
        }
        catch (ChunkIndexFormatException ex)
        {
            Log.SidecarDamaged(logger, digest.ToString(), ex.Message);
            return null;
        }
    }

    private async Task<StoredChunkIndex?> ComputeAsync(BlobDigest digest)
    {
        await Task.Yield();
        if (await blobs.OpenReadAsync(digest, CancellationToken.None) is not { } content)
        {
            return null;
        }

        ChunkIndex index;
        var started = DateTimeOffset.UtcNow;
        await using (var stream = await content.OpenAsync(0, null, CancellationToken.None))
        {
            index = await ChunkIndexBuilder.ComputeAsync(stream, options.Parameters, CancellationToken.None);
        }

        if (index.Digest != digest || index.Length != content.Size)
        {
            throw new StorageUnavailableException($"Blob {digest} does not match its digest (its bytes hash to {index.Digest}); the scrub quarantines it.");
        }

        var wire = ChunkIndexWire.Serialize(index);
        await sidecars.WriteSidecarAsync(digest, Kind, wire, CancellationToken.None);
        // A collection that deleted the blob while it was read would leave the sidecar behind: take it away again.
        if (await blobs.GetSizeAsync(digest, CancellationToken.None) is null)
        {
            await sidecars.DeleteSidecarsAsync(digest, CancellationToken.None);
            return null;
        }

        metrics.Computed(index.Length);
        Log.Computed(logger, digest.ToString(), index.Count, index.Length, (DateTimeOffset.UtcNow - started).TotalMilliseconds);
        Stored?.Invoke(index);
        return new StoredChunkIndex(index, wire);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Chunk index of {Digest}: {Chunks} chunks for {Bytes} bytes in {Milliseconds:F0} ms")]
        public static partial void Computed(ILogger logger, string digest, int chunks, long bytes, double milliseconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The chunk index stored beside {Digest} is refused ({Reason}); computing it again")]
        public static partial void SidecarDamaged(ILogger logger, string digest, string reason);
    }
}
