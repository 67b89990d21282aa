using System.Net;
using Aar.Hosting;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests.S3;

/// <summary>Downloads from S3 (streamed or redirected), damage in the bucket, and the start-up checks.</summary>
public sealed class S3BlobTests(ITestOutputHelper output)
{
    [S3Fact]
    public async Task With_redirects_a_download_is_a_307_to_a_presigned_url_the_typed_client_follows_without_its_certificate()
    {
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { S3 = o.S3 with { Redirect = true } });
        var blob = TestBlob.Random(300_000);
        (await registry.PutBlobAsync(blob)).Dispose();

        using (var raw = await registry.Http.GetAsync($"/1.0/blobs/{blob.Digest}"))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, raw.StatusCode);
            Assert.StartsWith(TestS3.Endpoint!, raw.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
            Assert.Contains("X-Amz-Signature=", raw.Headers.Location.Query, StringComparison.Ordinal);
        }

        using var temp = new TempDirectory("s3-redirect");
        var target = temp.Combine("blob");
        // A partial file first: the Range header must travel with the redirect.
        await File.WriteAllBytesAsync(target, blob.Bytes[..123_456]);
        // The test radosgw serves plain http: the client follows such a redirect only when told to (plain-http redirects are refused by default).
        using var typed = registry.Typed(options: new RegistryClientOptions { AllowHttpRedirects = TestS3.Endpoint!.StartsWith("http:", StringComparison.Ordinal) });
        var result = await typed.DownloadBlobAsync(blob.Digest, target);
        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal(blob.Bytes, await File.ReadAllBytesAsync(target));
    }

    [S3Fact]
    public async Task An_object_damaged_in_the_bucket_fails_the_downloads_digest_check()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(100_000);
        (await registry.PutBlobAsync(blob)).Dispose();
        var damaged = (byte[])blob.Bytes.Clone();
        damaged[50_000] ^= 0xff;
        await registry.OverwriteStoredAsync(blob, damaged);

        using var temp = new TempDirectory("s3-damaged");
        using var typed = registry.Typed();
        var result = await typed.DownloadBlobAsync(blob.Digest, temp.Combine("blob"));

        Assert.False(result.Succeeded);
        Assert.Equal(ProblemTypes.DigestMismatch, result.Problem!.Type);
    }

    [S3Fact]
    public async Task An_unreachable_store_or_a_missing_bucket_stops_the_start_with_one_sentence()
    {
        var unreachable = await Assert.ThrowsAsync<StartupException>(() => RegistryTestServer.StartAsync(output, configure: o => o with { S3 = o.S3 with { Endpoint = "http://127.0.0.1:9" } }));
        Assert.StartsWith("Cannot reach the S3 store at http://127.0.0.1:9", unreachable.Message, StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<StartupException>(() => RegistryTestServer.StartAsync(output, configure: o => o with { S3 = o.S3 with { Bucket = "aar-missing-" + Guid.NewGuid().ToString("n")[..12], CreateBucket = false } }));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Contains("--s3-create-bucket", missing.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestS3.Credentials.SecretKey, missing.Message, StringComparison.Ordinal);
    }
}
