using System.Net;
using System.Net.Http.Headers;
using Aar.Protocol.Chunking;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Aar.Server.Tests.ApplicationTests;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests;

/// <summary>The chunk index kept beside each blob and the batched range read, over real mTLS (file store, or S3 when the run uses it).</summary>
public sealed class ChunkRouteTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_blobs_chunk_index_is_computed_once_kept_beside_it_and_served_to_any_trusted_caller()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 700_000);
        var reader = await registry.AddCallerAsync("reader", TrustRole.Client);
        Assert.False(await registry.HasSidecarAsync(blob));

        using var first = await reader.Http.GetAsync(RegistryRoutes.BlobChunks(blob.Digest));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(ChunkIndexWire.MediaType, first.Content.Headers.ContentType?.MediaType);
        var served = ChunkIndexWire.Parse(await first.Content.ReadAsByteArrayAsync(), ChunkIndexLimits.Default);
        var expected = await ChunkIndexBuilder.ComputeAsync(new MemoryStream(blob.Bytes), ChunkParameters.Default);
        Assert.Equal(blob.Digest, served.Digest);
        Assert.Equal(expected.Chunks(), served.Chunks());
        Assert.True(await registry.HasSidecarAsync(blob));

        // Served from the sidecar from now on: the blob's own bytes changing behind the registry's back does not
        // change the index (it describes what was verified when the blob was stored).
        await registry.OverwriteStoredAsync(blob, new byte[blob.Bytes.Length]);
        using var second = await reader.Http.GetAsync(RegistryRoutes.BlobChunks(blob.Digest));
        Assert.Equal(expected.Chunks(), ChunkIndexWire.Parse(await second.Content.ReadAsByteArrayAsync(), ChunkIndexLimits.Default).Chunks());
    }

    [Fact]
    public async Task Publishing_a_version_indexes_its_blob_in_the_background_and_collection_removes_the_index_with_the_blob()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { BlobGracePeriod = TimeSpan.FromHours(1) }, time);
        var blob = await StoreAsync(registry, 300_000);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();
        await WaitAsync(() => registry.HasSidecarAsync(blob));
        Assert.True(await registry.HasSidecarAsync(blob));

        (await registry.Http.DeleteAsync("/1.0/applications/game/amd64/versions/0")).Dispose();
        time.Advance(TimeSpan.FromMinutes(70));
        await WaitAsync(async () => !await registry.HasSidecarAsync(blob) && registry.StoredFiles().Count == 0);
        Assert.Empty(registry.StoredFiles());
        Assert.False(await registry.HasSidecarAsync(blob));
    }

    [Fact]
    public async Task A_damaged_sidecar_is_recomputed_and_an_unknown_blob_has_no_index()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 200_000);
        (await registry.Http.GetAsync(RegistryRoutes.BlobChunks(blob.Digest))).Dispose();
        if (registry.S3 is null)
        {
            var sidecar = Path.Combine(registry.Server.DataDirectory, blob.RelativePath) + ".chunks";
            var bytes = await File.ReadAllBytesAsync(sidecar);
            bytes[100] ^= 0xff;
            await File.WriteAllBytesAsync(sidecar, bytes);
        }

        using var again = await registry.Http.GetAsync(RegistryRoutes.BlobChunks(blob.Digest));
        Assert.Equal(blob.Digest, ChunkIndexWire.Parse(await again.Content.ReadAsByteArrayAsync(), ChunkIndexLimits.Default).Digest);
        using var unknown = await registry.Http.GetAsync(RegistryRoutes.BlobChunks(BlobDigest.Of([1, 2, 3])));
        await AssertProblem(unknown, HttpStatusCode.NotFound, ProblemTypes.BlobUnknown);
        using var invalid = await registry.Http.GetAsync("/1.0/blobs/sha256:zz/chunks");
        await AssertProblem(invalid, HttpStatusCode.BadRequest, ProblemTypes.InvalidDigest);
    }

    [Fact]
    public async Task Ranges_come_back_in_request_order_in_one_answer()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 1_000_000);
        var reader = await registry.AddCallerAsync("reader", TrustRole.Client);
        ByteRange[] ranges = [new(900_000, 100_000), new(0, 1), new(500_000, 300_000), new(10, 5)];

        using var response = await PostRangesAsync(reader.Http, blob.Digest, ByteRanges.Serialize(ranges));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ranges.Sum(r => r.Length), response.Content.Headers.ContentLength);
        Assert.Equal(ranges.SelectMany(r => blob.Bytes.Skip((int)r.Offset).Take((int)r.Length)).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Garbage_overlapping_out_of_range_and_oversized_range_lists_are_refused_with_a_sentence()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100_000);
        async Task RefusedAsync(byte[] body, HttpStatusCode status, string type, string words)
        {
            using var response = await PostRangesAsync(registry.Http, blob.Digest, body);
            var problem = await AssertProblem(response, status, type);
            Assert.Contains(words, problem.Detail, StringComparison.Ordinal);
        }

        await RefusedAsync(new byte[15], HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "16-byte entries");
        await RefusedAsync(ByteRanges.Serialize([new(0, 10), new(5, 10)]), HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "overlap");
        await RefusedAsync(ByteRanges.Serialize([new(0, 0)]), HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "empty or not within");
        await RefusedAsync(ByteRanges.Serialize([new(99_999, 2)]), HttpStatusCode.RequestedRangeNotSatisfiable, ProblemTypes.RangeNotSatisfiable, "not within the blob's 100000 bytes");
        await RefusedAsync(ByteRanges.Serialize([new(long.MaxValue, long.MaxValue)]), HttpStatusCode.RequestedRangeNotSatisfiable, ProblemTypes.RangeNotSatisfiable, "not within");
        await RefusedAsync(new byte[4097 * 16], HttpStatusCode.RequestEntityTooLarge, ProblemTypes.BodyTooLarge, "at most 4096 ranges");
        using var unknown = await PostRangesAsync(registry.Http, BlobDigest.Of([9]), ByteRanges.Serialize([new(0, 1)]));
        await AssertProblem(unknown, HttpStatusCode.NotFound, ProblemTypes.BlobUnknown);
    }

    internal static async Task<HttpResponseMessage> PostRangesAsync(HttpClient http, BlobDigest digest, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(ByteRanges.MediaType);
        return await http.PostAsync(RegistryRoutes.BlobRanges(digest), content);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }
}
