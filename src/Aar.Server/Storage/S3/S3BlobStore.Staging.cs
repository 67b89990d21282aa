using Aar.Protocol.Registry;
using System.Runtime.CompilerServices;
using Amazon.S3.Model;

namespace Aar.Server.Storage.S3;

/// <summary>The calls of <see cref="IS3MultipartStaging"/> that the blob store itself does not use.</summary>
internal sealed partial class S3BlobStore : IS3MultipartStaging
{
    long IS3MultipartStaging.PartSize => s3.Options.PartSize;

    string IS3MultipartStaging.SessionPrefix(string id) => s3.UploadPrefix(id);

    string IS3MultipartStaging.BlobKey(BlobDigest digest) => s3.BlobKey(digest);

    async Task<string> IS3MultipartStaging.StartMultipartAsync(string key, CancellationToken cancellationToken)
    {
        var start = await s3.CallAsync("multipart start " + key, token => s3.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = s3.Bucket, Key = key }, token), cancellationToken);
        return start.UploadId;
    }

    async Task<string> IS3MultipartStaging.CopyPartAsync(string sourceKey, string key, string uploadId, int number, CancellationToken cancellationToken)
    {
        var copy = await s3.CallAsync("copy tail " + sourceKey, token => s3.Client.CopyPartAsync(new CopyPartRequest
        {
            SourceBucket = s3.Bucket,
            SourceKey = sourceKey,
            DestinationBucket = s3.Bucket,
            DestinationKey = key,
            UploadId = uploadId,
            PartNumber = number,
        }, token), cancellationToken);
        return copy.ETag;
    }

    Task IS3MultipartStaging.AbortMultipartAsync(string key, string uploadId, CancellationToken cancellationToken) =>
        s3.CallAsync("multipart abort " + key, token => s3.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = s3.Bucket, Key = key, UploadId = uploadId }, token), cancellationToken);

    Task IS3MultipartStaging.PutObjectAsync(string key, byte[] buffer, int count, CancellationToken cancellationToken) =>
        s3.SendBodyAsync("PUT " + key, token => s3.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = s3.Bucket,
            Key = key,
            InputStream = new MemoryStream(buffer, 0, count, writable: false),
        }, token), cancellationToken);

    Task<(long Size, DateTimeOffset Modified)?> IS3MultipartStaging.HeadAsync(string key, CancellationToken cancellationToken) =>
        s3.HeadAsync(key, cancellationToken);

    Task IS3MultipartStaging.DeleteAsync(string key, CancellationToken cancellationToken) => s3.DeleteAsync(key, cancellationToken);

    async IAsyncEnumerable<string> IS3MultipartStaging.ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in s3.ListAsync(prefix, cancellationToken))
        {
            yield return item.Key;
        }
    }
}
