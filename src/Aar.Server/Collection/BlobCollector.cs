using Aar.Server.Applications;
using Aar.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Collection;

/// <summary>
/// Deletes blobs that no version names any more and that nobody has used for <see cref="CollectionOptions.BlobGracePeriod"/>
/// (written, or asked about with HEAD or PUT). The grace period covers a publisher between uploading a blob and
/// creating the version that names it; each delete re-checks the references inside a database write transaction, the
/// same kind that creates versions, so a blob is never deleted under a version being created. Online, no
/// stop-the-world (docker-registry's GC needs a read-only or stopped registry).
/// </summary>
internal sealed partial class BlobCollector(IBlobStore blobs, ApplicationQueries queries, ApplicationDatabase database, CollectionOptions options, CollectionMetrics metrics, TimeProvider time, ILogger<BlobCollector> logger) : BackgroundService
{
    public static TimeSpan IntervalFor(TimeSpan grace) =>
        TimeSpan.FromTicks(Math.Clamp(grace.Ticks / 6, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(10).Ticks));

    /// <summary>One pass; returns how many blobs and bytes were deleted.</summary>
    public async Task<(int Blobs, long Bytes)> CollectAsync(CancellationToken cancellationToken)
    {
        var (_, _, referenced) = await queries.InventoryAsync(cancellationToken);
        var cutoff = time.GetUtcNow() - options.BlobGracePeriod;
        var (count, bytes) = (0, 0L);
        var candidates = new List<StoredBlob>();
        var (stored, storedBytes) = (0L, 0L);
        await foreach (var blob in blobs.ListAsync(cancellationToken))
        {
            stored++;
            storedBytes += blob.Size;
            if (blob.LastUsed < cutoff && !referenced.Contains(blob.Digest.ToString()))
            {
                candidates.Add(blob);
            }
        }

        foreach (var blob in candidates)
        {
            if (await database.DeleteBlobIfUnreferencedAsync(blob.Digest.ToString(), () => blobs.DeleteAsync(blob.Digest, cancellationToken), cancellationToken))
            {
                Log.BlobCollected(logger, blob.Digest.ToString(), blob.Size);
                count++;
                bytes += blob.Size;
            }
        }

        metrics.Collected(stored, storedBytes, count, bytes);
        return (count, bytes);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(IntervalFor(options.BlobGracePeriod), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await CollectAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    metrics.CollectionFailed();
                    Log.BlobCollectionFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Deleted unreferenced blob {Digest} ({Size} bytes)")]
        public static partial void BlobCollected(ILogger logger, string digest, long size);

        [LoggerMessage(Level = LogLevel.Error, Message = "Blob collection failed; retrying at the next interval")]
        public static partial void BlobCollectionFailed(ILogger logger, Exception exception);
    }
}
