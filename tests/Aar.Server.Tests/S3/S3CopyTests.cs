using Aar.Protocol.Registry;
using Aar.Server.Storage;
using Aar.Server.Storage.S3;
using Amazon.S3.Model;
using TestSupport;

namespace Aar.Server.Tests.S3;

/// <summary>Finishing an upload copies its object to the content address server-side, also past CopyObject's limit.</summary>
public sealed class S3CopyTests
{
    [S3Fact]
    public async Task A_staged_object_above_the_single_copy_limit_is_copied_in_parts()
    {
        using var s3 = new S3Connection(TestS3.Options($"t-{Guid.NewGuid():n}/")!);
        await s3.EnsureBucketAsync(CancellationToken.None);
        // The real limit is 5 GiB; a 1-byte limit sends an 11 MiB object through the multipart copy in 5 MiB parts.
        var store = new S3BlobStore(s3) { SingleCopyLimit = 1, CopyPartSize = 5 * 1024 * 1024 };
        var bytes = new byte[11 * 1024 * 1024 + 3];
        Random.Shared.NextBytes(bytes);
        var digest = BlobDigest.Of(bytes);
        var staged = s3.UploadPrefix("copy") + "data";
        await s3.Client.PutObjectAsync(new PutObjectRequest { BucketName = s3.Bucket, Key = staged, InputStream = new MemoryStream(bytes) });

        var result = await store.CommitStagedAsync(staged, digest, bytes.Length, CancellationToken.None);
        var again = await store.CommitStagedAsync(staged, digest, bytes.Length, CancellationToken.None);

        Assert.Equal(BlobPutOutcome.Created, result.Outcome);
        Assert.Equal(BlobPutOutcome.AlreadyExists, again.Outcome);
        var content = await store.OpenReadAsync(digest, CancellationToken.None);
        Assert.NotNull(content);
        await using var stream = await content.OpenAsync(0, null, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }
}
