using Aar.Protocol.Registry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aar.Server.Storage;

/// <summary>
/// Readiness: the blob store answers. Asks for the size of one blob (the empty one: whether it is stored does not
/// matter), which is a stat in the blobs directory or a HEAD request to S3, so an unreachable bucket fails it without
/// reading any blob; for files, the blobs directory must exist (a missing mount).
/// </summary>
internal sealed class BlobStoreHealthCheck(IBlobStore blobs, FileBlobStoreOptions? files = null) : IHealthCheck
{
    private static readonly BlobDigest Probe = BlobDigest.Of([]);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // A stat of a missing file in a missing directory is not an error: check the directory itself.
        if (files is not null && !Directory.Exists(files.BlobsDirectory))
        {
            return HealthCheckResult.Unhealthy($"the blobs directory {files.BlobsDirectory} is missing");
        }

        await blobs.GetSizeAsync(Probe, cancellationToken).WaitAsync(cancellationToken);
        return HealthCheckResult.Healthy(files is null ? "S3 bucket reachable" : "blobs directory present");
    }
}
