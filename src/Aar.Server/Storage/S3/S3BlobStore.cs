using System.Buffers;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Aar.Protocol.Registry;
using Aar.Server.Problems;
using Aar.Server.Storage.Hashing;
using Amazon.S3;
using Amazon.S3.Model;

namespace Aar.Server.Storage.S3;

/// <summary>
/// Blobs as objects <c>&lt;prefix&gt;blobs/sha256/&lt;hex&gt;</c> in an S3-compatible bucket. Writes stream through a
/// bounded part buffer (<c>--s3-part-size</c>), hashed once on the way: a blob up to one part goes up in a single
/// <c>PutObject</c> with <c>If-None-Match: *</c> after its digest was checked; a larger one as a multipart upload
/// into its final key whose digest is checked before <c>CompleteMultipartUpload</c> (aborted otherwise), so a wrong
/// object never becomes visible. S3 has no cheap "touch", so last use is an empty marker
/// <c>&lt;prefix&gt;touch/&lt;hex&gt;/&lt;unix-ms&gt;</c>: the collector takes the later of its time and the blob's LastModified.
/// </summary>
internal sealed partial class S3BlobStore(S3Connection s3) : IBlobStore
{
    /// <summary>Above this a server-side copy must be a multipart copy (S3's CopyObject limit).</summary>
    internal long SingleCopyLimit { get; init; } = 5L * 1024 * 1024 * 1024;

    /// <summary>Part size of a multipart copy (UploadPartCopy; at most 5 GiB each).</summary>
    internal long CopyPartSize { get; init; } = 1L * 1024 * 1024 * 1024;

    private int PartSize => (int)s3.Options.PartSize;

    public async Task<long?> GetSizeAsync(BlobDigest digest, CancellationToken cancellationToken) =>
        (await s3.HeadAsync(s3.BlobKey(digest), cancellationToken))?.Size;

    public async Task<BlobContent?> OpenReadAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        var key = s3.BlobKey(digest);
        if (await s3.HeadAsync(key, cancellationToken) is not { } head)
        {
            return null;
        }

        Uri? redirect = null;
        if (s3.Options.Redirect)
        {
            var url = await s3.CallAsync("presign " + key, _ => s3.Client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
            {
                BucketName = s3.Bucket,
                Key = key,
                Verb = HttpVerb.GET,
                Expires = DateTime.UtcNow + s3.Options.RedirectLifetime,
                Protocol = s3.Options.Endpoint?.StartsWith("http:", StringComparison.OrdinalIgnoreCase) == true ? Amazon.S3.Protocol.HTTP : Amazon.S3.Protocol.HTTPS,
            }), cancellationToken);
            redirect = new Uri(url);
        }

        return new BlobContent(digest, head.Size, null, (offset, length, token) => OpenRangeAsync(key, offset, length ?? head.Size - offset, token), redirect);
    }

    /// <summary>A GET of [offset, offset + length); the returned stream owns the response.</summary>
    public async Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = s3.Bucket, Key = key };
        if (length <= 0)
        {
            return Stream.Null;
        }

        request.ByteRange = new ByteRange(offset, offset + length - 1);
        try
        {
            var response = await s3.CallAsync("GET " + key, token => s3.Client.GetObjectAsync(request, token), cancellationToken);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new StorageUnavailableException($"S3 object {key} disappeared while being read.", ex);
        }
    }

    public async Task<BlobPutResult> PutAsync(Stream content, BlobDigest expected, long size, CancellationToken cancellationToken)
    {
        var key = s3.BlobKey(expected);
        // One byte more than expected (at most one part more) tells "too long" without storing it.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(size + 1, PartSize));
        using var hash = ResumableSha256.Create();
        try
        {
            var first = await BodyFill.FillAsync(content, buffer.AsMemory(0, (int)Math.Min(size + 1, PartSize)), cancellationToken);
            hash.Append(buffer.AsSpan(0, first.Filled));
            if (first.Failure is not null || first.Ended || first.Filled > size)
            {
                // The whole body is in the buffer: verify first, then one conditional put.
                var actual = BlobDigest.FromHash(hash.Finish());
                if (Refused(first.Failure, first.Filled, size, actual, expected) is { } refused)
                {
                    return refused;
                }

                return await PutSmallAsync(key, buffer.AsMemory(0, first.Filled), expected, cancellationToken);
            }

            return await PutMultipartAsync(key, content, buffer, first.Filled, hash, expected, size, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Create-if-absent in one request: S3 answers 412 when the key exists (a concurrent upload won).</summary>
    private async Task<BlobPutResult> PutSmallAsync(string key, ReadOnlyMemory<byte> bytes, BlobDigest digest, CancellationToken cancellationToken)
    {
        try
        {
            await s3.SendBodyAsync("PUT " + key, token => s3.Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = s3.Bucket,
                Key = key,
                InputStream = Over(bytes),
                IfNoneMatch = "*",
                ContentType = "application/octet-stream",
            }, token), cancellationToken);
            return new BlobPutResult(BlobPutOutcome.Created, digest, bytes.Length);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return new BlobPutResult(BlobPutOutcome.AlreadyExists, digest, bytes.Length);
        }
    }

    private async Task<BlobPutResult> PutMultipartAsync(string key, Stream content, byte[] buffer, int filled, ResumableSha256 hash, BlobDigest expected, long size, CancellationToken cancellationToken)
    {
        var start = await s3.CallAsync("multipart start " + key, token => s3.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = s3.Bucket, Key = key, ContentType = "application/octet-stream" }, token), cancellationToken);
        var uploadId = start.UploadId;
        var completed = false;
        try
        {
            var parts = new List<PartETag>();
            long total = 0;
            while (true)
            {
                // A full part goes up; the next fill decides whether there is more.
                parts.Add(new PartETag(parts.Count + 1, await UploadPartAsync(key, uploadId, parts.Count + 1, buffer.AsMemory(0, filled), cancellationToken)));
                total += filled;
                var want = (int)Math.Min(PartSize, size + 1 - total);
                var next = want == 0 ? (0, true, null) : await BodyFill.FillAsync(content, buffer.AsMemory(0, want), cancellationToken);
                hash.Append(buffer.AsSpan(0, next.Filled));
                filled = next.Filled;
                if (next.Failure is not null || next.Ended || total + filled > size)
                {
                    var actual = BlobDigest.FromHash(hash.Finish());
                    if (Refused(next.Failure, total + filled, size, actual, expected) is { } refused)
                    {
                        return refused;
                    }

                    if (filled > 0)
                    {
                        parts.Add(new PartETag(parts.Count + 1, await UploadPartAsync(key, uploadId, parts.Count + 1, buffer.AsMemory(0, filled), cancellationToken)));
                    }

                    if (await s3.HeadAsync(key, cancellationToken) is not null)
                    {
                        return new BlobPutResult(BlobPutOutcome.AlreadyExists, expected, size);
                    }

                    await CompleteAsync(key, uploadId, parts, cancellationToken);
                    completed = true;
                    return new BlobPutResult(BlobPutOutcome.Created, expected, size);
                }
            }
        }
        finally
        {
            if (!completed)
            {
                await AbortQuietlyAsync(key, uploadId);
            }
        }
    }

    private static BlobPutResult? Refused(Exception? failure, long received, long size, BlobDigest actual, BlobDigest expected) =>
        failure is not null ? new BlobPutResult(BlobPutOutcome.Incomplete, actual, received, failure)
        : received != size ? new BlobPutResult(BlobPutOutcome.SizeMismatch, actual, received)
        : actual != expected ? new BlobPutResult(BlobPutOutcome.DigestMismatch, actual, received)
        : null;

    public async Task<string> UploadPartAsync(string key, string uploadId, int number, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var response = await s3.SendBodyAsync($"part {number} of {key}", token => s3.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = s3.Bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = number,
            InputStream = Over(bytes),
            PartSize = bytes.Length,
        }, token), cancellationToken);
        return response.ETag;
    }

    public Task CompleteAsync(string key, string uploadId, List<PartETag> parts, CancellationToken cancellationToken) =>
        s3.CallAsync("multipart complete " + key, token => s3.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = s3.Bucket,
            Key = key,
            UploadId = uploadId,
            PartETags = parts,
        }, token), cancellationToken);

    /// <summary>Best effort: an abort that fails leaves parts a bucket lifecycle rule removes (docs/scale-out.md).</summary>
    public async Task AbortQuietlyAsync(string key, string uploadId)
    {
        try
        {
            await s3.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = s3.Bucket, Key = key, UploadId = uploadId });
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException or IOException or System.Net.Sockets.SocketException)
        {
            // Not ours to fail the request over.
        }
    }

    /// <summary>
    /// Copies a finished upload session's object (already verified) to its content address, server-side. A blob
    /// that exists is not rewritten.
    /// </summary>
    public async Task<BlobPutResult> CommitStagedAsync(string sourceKey, BlobDigest digest, long size, CancellationToken cancellationToken)
    {
        var key = s3.BlobKey(digest);
        if (await s3.HeadAsync(key, cancellationToken) is not null)
        {
            return new BlobPutResult(BlobPutOutcome.AlreadyExists, digest, size);
        }

        if (size <= SingleCopyLimit)
        {
            await s3.CallAsync("COPY " + key, token => s3.Client.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = s3.Bucket,
                SourceKey = sourceKey,
                DestinationBucket = s3.Bucket,
                DestinationKey = key,
            }, token), cancellationToken);
            return new BlobPutResult(BlobPutOutcome.Created, digest, size);
        }

        var start = await s3.CallAsync("multipart start " + key, token => s3.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = s3.Bucket, Key = key, ContentType = "application/octet-stream" }, token), cancellationToken);
        var completed = false;
        try
        {
            var parts = new List<PartETag>();
            for (long first = 0; first < size; first += CopyPartSize)
            {
                var number = parts.Count + 1;
                var from = first;
                var copy = await s3.CallAsync($"copy part {number} of {key}", token => s3.Client.CopyPartAsync(new CopyPartRequest
                {
                    SourceBucket = s3.Bucket,
                    SourceKey = sourceKey,
                    DestinationBucket = s3.Bucket,
                    DestinationKey = key,
                    UploadId = start.UploadId,
                    PartNumber = number,
                    FirstByte = from,
                    LastByte = Math.Min(from + CopyPartSize, size) - 1,
                }, token), cancellationToken);
                parts.Add(new PartETag(number, copy.ETag));
            }

            await CompleteAsync(key, start.UploadId, parts, cancellationToken);
            completed = true;
            return new BlobPutResult(BlobPutOutcome.Created, digest, size);
        }
        finally
        {
            if (!completed)
            {
                await AbortQuietlyAsync(key, start.UploadId);
            }
        }
    }

    public async Task<bool> DeleteAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        if (await s3.HeadAsync(s3.BlobKey(digest), cancellationToken) is null)
        {
            return false;
        }

        await s3.DeleteAsync(s3.BlobKey(digest), cancellationToken);
        await DeleteSidecarsAsync(digest, cancellationToken);
        await foreach (var marker in s3.ListAsync(s3.TouchKeyPrefix(digest), cancellationToken))
        {
            await s3.DeleteAsync(marker.Key, cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// S3 has no rename: a damaged object up to the single-copy limit (5 GiB) is copied server-side to
    /// <c>&lt;prefix&gt;quarantine/&lt;hex&gt;.&lt;unix-ms&gt;</c> for inspection, then the blob and its touch
    /// markers are deleted. A larger one is only deleted (a multipart copy of bytes known to be bad is not worth its
    /// cost); the scrub's log line and the <c>missing_blobs</c> row record it either way.
    /// </summary>
    public async Task<bool> QuarantineAsync(BlobDigest digest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = s3.BlobKey(digest);
        if (await s3.HeadAsync(key, cancellationToken) is not { } head)
        {
            return false;
        }

        if (head.Size <= SingleCopyLimit)
        {
            var target = s3.Options.Prefix + "quarantine/" + digest.Hex + "." + now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            await s3.CallAsync("COPY " + target, token => s3.Client.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = s3.Bucket,
                SourceKey = key,
                DestinationBucket = s3.Bucket,
                DestinationKey = target,
            }, token), cancellationToken);
        }

        return await DeleteAsync(digest, cancellationToken);
    }

    public async Task<bool> TouchAsync(BlobDigest digest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await s3.HeadAsync(s3.BlobKey(digest), cancellationToken) is null)
        {
            return false;
        }

        // The time is in the marker's key, not its LastModified: S3 cannot set LastModified, and a listing returns
        // keys without metadata. So one ListObjectsV2 page shows 1000 markers with their times, on the registry's
        // clock like the file store's mtime. Older markers of the blob go once the new one is stored.
        var prefix = s3.TouchKeyPrefix(digest);
        var key = prefix + now.ToUnixTimeMilliseconds().ToString("D15", CultureInfo.InvariantCulture);
        await s3.CallAsync("touch " + digest.Hex, token => s3.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = s3.Bucket,
            Key = key,
            InputStream = new MemoryStream([], false),
        }, token), cancellationToken);
        await foreach (var old in s3.ListAsync(prefix, cancellationToken))
        {
            if (!string.Equals(old.Key, key, StringComparison.Ordinal))
            {
                await s3.DeleteAsync(old.Key, cancellationToken);
            }
        }

        return true;
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Markers first (one small entry per touched blob), then blobs page by page.
        var touched = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var marker in s3.ListAsync(s3.TouchPrefix, cancellationToken))
        {
            var parts = marker.Key[s3.TouchPrefix.Length..].Split('/');
            if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
            {
                var used = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
                if (!touched.TryGetValue(parts[0], out var seen) || used > seen)
                {
                    touched[parts[0]] = used;
                }
            }
        }

        await foreach (var item in s3.ListAsync(s3.BlobsPrefix, cancellationToken))
        {
            var hex = item.Key[s3.BlobsPrefix.Length..];
            if (!BlobDigest.TryParse(BlobDigest.Prefix + hex, out var digest))
            {
                continue;
            }

            var modified = new DateTimeOffset(item.LastModified ?? DateTime.MinValue, TimeSpan.Zero);
            if (touched.TryGetValue(hex, out var used) && used > modified)
            {
                modified = used;
            }

            yield return new StoredBlob(digest, item.Size ?? 0, modified);
        }
    }

    /// <summary>An S3 response body that disposes its response (and connection) with it.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A seekable view of pooled memory for the SDK (which needs a seekable stream to sign and retry); no copy.</summary>
    private static MemoryStream Over(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
