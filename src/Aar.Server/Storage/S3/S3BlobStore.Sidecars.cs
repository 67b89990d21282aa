using System.Net;
using Aar.Protocol.Registry;
using Amazon.S3;
using Amazon.S3.Model;

namespace Aar.Server.Storage.S3;

/// <summary>
/// Sidecars as <c>&lt;prefix&gt;blobs/&lt;kind&gt;/&lt;hex&gt;</c>: next to the blob objects' <c>blobs/sha256/</c>, out of
/// its listing, deleted with the blob.
/// </summary>
internal sealed partial class S3BlobStore : IBlobSidecars
{
    private string SidecarKey(BlobDigest digest, string kind) => s3.Options.Prefix + "blobs/" + kind + "/" + digest.Hex;

    public async Task<byte[]?> ReadSidecarAsync(BlobDigest digest, string kind, int maxBytes, CancellationToken cancellationToken)
    {
        var key = SidecarKey(digest, kind);
        try
        {
            using var response = await s3.CallAsync("GET " + key, token => s3.Client.GetObjectAsync(new GetObjectRequest { BucketName = s3.Bucket, Key = key }, token), cancellationToken);
            if (response.ContentLength > maxBytes)
            {
                return null;
            }

            var bytes = new byte[response.ContentLength];
            await response.ResponseStream.ReadExactlyAsync(bytes, cancellationToken);
            return bytes;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task WriteSidecarAsync(BlobDigest digest, string kind, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var key = SidecarKey(digest, kind);
        return s3.SendBodyAsync("PUT " + key, token => s3.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = s3.Bucket,
            Key = key,
            InputStream = Over(bytes),
            ContentType = "application/octet-stream",
        }, token), cancellationToken);
    }

    public async Task DeleteSidecarsAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        foreach (var kind in IBlobSidecars.Kinds)
        {
            await s3.DeleteAsync(SidecarKey(digest, kind), cancellationToken);
        }
    }
}
