using System.Net;
using Aar.Protocol;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.StorageRegistry;

namespace Aar.Server.Tests;

/// <summary>A blob is invisible until it is complete and verified, then visible whole; over HTTP/1.1 and HTTP/2.</summary>
public sealed class VisibilityTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task No_partial_blob_is_ever_visible_while_a_put_is_in_flight()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(6 * 1024 * 1024);
        var release = new TaskCompletionSource();
        using var uploader = new MtlsClient(registry.Server.Address, registry.Server.ServerFingerprint, registry.PublisherCertificate);
        var body = new StallingContent(blob.Bytes, 4 * 1024 * 1024, release.Task);
        var put = uploader.Http.PutAsync($"/1.0/blobs/{blob.Digest}", body);
        await body.Stalled;

        for (var i = 0; i < 5; i++)
        {
            using var head = await registry.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/1.0/blobs/{blob.Digest}"));
            using var get = await registry.Http.GetAsync($"/1.0/blobs/{blob.Digest}");
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(registry.BlobsDirectory, "sha256"), "*", SearchOption.AllDirectories));
            await Task.Delay(50);
        }

        release.SetResult();
        using var done = await put;
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        using var after = await registry.Http.GetAsync($"/1.0/blobs/{blob.Digest}");
        Assert.Equal(blob.Bytes, await after.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Two_sessions_uploading_the_same_blob_both_finish_and_it_is_stored_once()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(100_000);
        var first = await UploadSessionTests.StartAsync(registry);
        var second = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(first.Location, Chunk(blob.Bytes, 0))).Dispose();
        (await registry.Http.PatchAsync(second.Location, Chunk(blob.Bytes, 0))).Dispose();
        using (var head = await registry.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/1.0/blobs/{blob.Digest}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }

        var finishes = await Task.WhenAll(
            registry.Http.PutAsync($"{first.Location}?digest={blob.Digest}", null),
            registry.Http.PutAsync($"{second.Location}?digest={blob.Digest}", null));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Created], finishes.Select(f => f.StatusCode).Order());
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
        foreach (var finish in finishes)
        {
            finish.Dispose();
        }
    }

    [Fact]
    public async Task Chunked_upload_and_range_download_work_over_http2()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        using var h2 = registry.Server.Client(registry.PublisherCertificate, HttpVersion.Version20);
        var blob = TestBlob.Random(3_000_000);
        using var start = await h2.Http.PostAsync("/1.0/uploads", null);
        Assert.Equal(HttpVersion.Version20, start.Version);
        var session = await ReadAsync(start, ProtocolJsonContext.Default.UploadSession);

        using (var chunk = await h2.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..2_000_000], 0)))
        {
            Assert.Equal(HttpStatusCode.Accepted, chunk.StatusCode);
        }

        using (var repeat = await h2.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..1000], 0)))
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, repeat.StatusCode);
        }

        using var finish = await h2.Http.PutAsync($"{session.Location}?digest={blob.Digest}", Chunk(blob.Bytes[2_000_000..], 2_000_000));
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/1.0/blobs/{blob.Digest}") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1_500_000, null);
        using var download = await h2.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, download.StatusCode);
        Assert.Equal(HttpVersion.Version20, download.Version);
        Assert.Equal(blob.Bytes[1_500_000..], await download.Content.ReadAsByteArrayAsync());
    }
}
