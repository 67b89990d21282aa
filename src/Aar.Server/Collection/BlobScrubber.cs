using System.Buffers;
using System.Security.Cryptography;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Server.Applications;
using Aar.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Collection;

/// <summary>
/// Re-hashes every stored blob and compares it with its name (downloads never do, to stay at sendfile speed), and
/// lists digests that versions refer to but the store lacks. A damaged blob is moved to quarantine, so it is no
/// longer served or reported present; damaged and missing blobs that versions name are recorded in
/// <see cref="MissingBlobs"/>, which flags those versions in listings so their publisher uploads the blob again
/// (the repair needs no operator). Run by <c>aar storage scrub</c> and, with <c>--scrub-interval</c>, on a timer.
/// </summary>
internal sealed partial class BlobScrubber(IBlobStore blobs, ApplicationQueries queries, MissingBlobs missingBlobs, CollectionMetrics metrics, TimeProvider time, ILogger<BlobScrubber> logger) : IDisposable
{
    // One scrub at a time per process: a scheduled one and `aar storage scrub` would otherwise both hash everything.
    private readonly SemaphoreSlim _running = new(1, 1);

    public async Task<ScrubReport> ScrubAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            var report = await ScrubOnceAsync(cancellationToken);
            metrics.Scrubbed(report.Checked, report.Bytes, report.Corrupt.Count, report.Missing.Count);
            return report;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.ScrubFailed();
            throw;
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<ScrubReport> ScrubOnceAsync(CancellationToken cancellationToken)
    {
        var corrupt = new List<string>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        var (count, bytes) = (0, 0L);
        var buffer = ArrayPool<byte>.Shared.Rent(StreamIngest.BatchSize);
        try
        {
            await foreach (var blob in blobs.ListAsync(cancellationToken))
            {
                var digest = blob.Digest;
                present.Add(digest.ToString());
                var content = await blobs.OpenReadAsync(digest, cancellationToken);
                if (content is null)
                {
                    continue;
                }

                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await using (var stream = await content.OpenAsync(0, null, cancellationToken))
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer.AsMemory(0, StreamIngest.BatchSize), cancellationToken)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        bytes += read;
                    }
                }

                count++;
                if (BlobDigest.FromHash(hash.GetHashAndReset()) != digest)
                {
                    // Blobs are never rewritten in place, so what is renamed away is what was hashed (unless the
                    // collector deleted it and a good copy arrived meanwhile: then the publisher just sends it again).
                    var moved = await blobs.QuarantineAsync(digest, time.GetUtcNow(), cancellationToken);
                    Log.ScrubFoundDamaged(logger, digest.ToString(), moved);
                    corrupt.Add(digest.ToString());
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var (_, _, referenced) = await queries.InventoryAsync(cancellationToken);
        var missing = new List<string>();
        foreach (var digest in referenced.Where(d => !present.Contains(d)).Order(StringComparer.Ordinal))
        {
            // Asked again: a blob stored (and named by a new version) after the store was listed is not missing.
            if (BlobDigest.TryParse(digest, out var parsed) && await blobs.GetSizeAsync(parsed, cancellationToken) is null)
            {
                Log.ScrubFoundMissing(logger, digest);
                missing.Add(digest);
            }
        }

        var found = corrupt.Where(referenced.Contains).Select(d => (d, MissingReason.Damaged))
            .Concat(missing.Select(d => (d, MissingReason.Missing)))
            .ToList();
        await missingBlobs.RecordAsync(found, time.GetUtcNow(), cancellationToken);
        return new ScrubReport { Checked = count, Bytes = bytes, Corrupt = corrupt, Missing = missing };
    }

    public void Dispose() => _running.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Scrub: blob {Digest} does not match its digest (damaged in storage); moved to quarantine: {Quarantined}. Versions naming it are flagged for their publisher to upload it again")]
        public static partial void ScrubFoundDamaged(ILogger logger, string digest, bool quarantined);

        [LoggerMessage(Level = LogLevel.Error, Message = "Scrub: blob {Digest} is referenced by a version but missing from the store")]
        public static partial void ScrubFoundMissing(ILogger logger, string digest);
    }
}
