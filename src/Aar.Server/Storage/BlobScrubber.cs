using System.Buffers;
using System.Security.Cryptography;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Server.Applications;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Storage;

/// <summary>
/// Re-hashes every stored blob and compares it with its name (downloads never do, to stay at sendfile speed), and
/// lists digests that versions refer to but the store lacks. Detection only: it reports, it does not repair.
/// </summary>
internal sealed partial class BlobScrubber(IBlobStore blobs, ApplicationQueries queries, ILogger<BlobScrubber> logger)
{
    public async Task<ScrubReport> ScrubAsync(CancellationToken cancellationToken)
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
                    Log.Corrupt(logger, digest.ToString());
                    corrupt.Add(digest.ToString());
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var (_, _, referenced) = await queries.InventoryAsync(cancellationToken);
        var missing = referenced.Where(d => !present.Contains(d)).Order(StringComparer.Ordinal).ToList();
        foreach (var digest in missing)
        {
            Log.Missing(logger, digest);
        }

        return new ScrubReport { Checked = count, Bytes = bytes, Corrupt = corrupt, Missing = missing };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Scrub: blob {Digest} does not match its digest (damaged on disk)")]
        public static partial void Corrupt(ILogger logger, string digest);

        [LoggerMessage(Level = LogLevel.Error, Message = "Scrub: blob {Digest} is referenced by a version but missing from the store")]
        public static partial void Missing(ILogger logger, string digest);
    }
}
