using System.Net;
using System.Net.Http.Headers;
using Aar.Protocol.Chunking;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Microsoft.Extensions.DependencyInjection;
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
            var sidecar = Path.Combine(registry.BlobsDirectory, "chunks", blob.Digest.Hex[..2], blob.Digest.Hex);
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
        // The last four ascend with small gaps: on S3 they share one ranged read, the bytes between them dropped.
        ByteRange[] ranges = [new(900_000, 100_000), new(0, 1), new(500_000, 300_000), new(10, 5), new(20, 30), new(70_000, 5), new(71_000, 100)];

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
        Task RefusedAsync(byte[] body, HttpStatusCode status, string type, string words) => AssertRefusedAsync(PostRangesAsync(registry.Http, blob.Digest, body), status, type, words);

        await RefusedAsync(new byte[15], HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "16-byte entries");
        await RefusedAsync(ByteRanges.Serialize([new(0, 10), new(5, 10)]), HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "overlap");
        await RefusedAsync(ByteRanges.Serialize([new(0, 0)]), HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "empty or not within");
        await RefusedAsync(ByteRanges.Serialize([new(99_999, 2)]), HttpStatusCode.RequestedRangeNotSatisfiable, ProblemTypes.RangeNotSatisfiable, "not within the blob's 100000 bytes");
        await RefusedAsync(ByteRanges.Serialize([new(long.MaxValue, long.MaxValue)]), HttpStatusCode.RequestedRangeNotSatisfiable, ProblemTypes.RangeNotSatisfiable, "not within");
        await RefusedAsync(new byte[4097 * 16], HttpStatusCode.RequestEntityTooLarge, ProblemTypes.BodyTooLarge, "at most 4096 ranges");
        using var unknown = await PostRangesAsync(registry.Http, BlobDigest.Of([9]), ByteRanges.Serialize([new(0, 1)]));
        await AssertProblem(unknown, HttpStatusCode.NotFound, ProblemTypes.BlobUnknown);
    }

    [Fact]
    public async Task Fine_signatures_describe_each_asked_range_on_its_own_and_a_client_reads_them_back()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 1_000_000);
        var reader = await registry.AddCallerAsync("reader", TrustRole.Client);
        ByteRange[] ranges = [new(900_000, 100_000), new(0, 1), new(200_000, 300_000), new(10, 5000)];

        using var response = await PostSignaturesAsync(reader.Http, blob.Digest, ByteRanges.Serialize(ranges));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ChunkSignatureWire.MediaType, response.Content.Headers.ContentType?.MediaType);
        var expected = ranges.Select(r => ChunkSigner.Of(blob.Bytes.AsSpan((int)r.Offset, (int)r.Length), ChunkParameters.Fine)).ToArray();
        var served = await ChunkSignatureWire.ReadAsync(await response.Content.ReadAsStreamAsync(), ranges, ChunkParameters.Fine);
        Assert.Equal(expected.Length, served.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], served[i]);
        }

        // 300,000 bytes in chunks of 1 to 8 KiB: dozens of chunks, each within the bounds, adding up to the range.
        Assert.InRange(served[2].Length, 300_000 / 8192, 300_000 / 1024);
        Assert.Equal(1, Assert.Single(served[1]).Length);

        using var client = registry.Typed();
        var typed = await client.GetSignaturesAsync(blob.Digest, ranges);
        Assert.True(typed.Succeeded, typed.Problem?.Detail);
        Assert.Equal(expected[2], typed.Value![2]);
    }

    [Fact]
    public async Task Signature_requests_that_are_garbage_out_of_range_or_too_costly_are_refused_with_a_sentence()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100_000);
        Task RefusedAsync(byte[] body, HttpStatusCode status, string type, string words) => AssertRefusedAsync(PostSignaturesAsync(registry.Http, blob.Digest, body), status, type, words);

        await RefusedAsync([], HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "Content-Length");
        await RefusedAsync(new byte[17], HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "16-byte entries");
        await RefusedAsync(ByteRanges.Serialize([new(0, 10), new(5, 10)]), HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "overlap");
        await RefusedAsync(ByteRanges.Serialize([new(-1, 10)]), HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest, "empty or not within");
        await RefusedAsync(ByteRanges.Serialize([new(99_999, 2)]), HttpStatusCode.RequestedRangeNotSatisfiable, ProblemTypes.RangeNotSatisfiable, "not within the blob's 100000 bytes");
        await RefusedAsync(new byte[4097 * 16], HttpStatusCode.RequestEntityTooLarge, ProblemTypes.BodyTooLarge, "at most 4096 ranges");
        using var unknown = await PostSignaturesAsync(registry.Http, BlobDigest.Of([9]), ByteRanges.Serialize([new(0, 1)]));
        await AssertProblem(unknown, HttpStatusCode.NotFound, ProblemTypes.BlobUnknown);
        using var invalid = await registry.Http.PostAsync(RegistryRoutes.Blobs + "/sha256:ABC/signatures", new ByteArrayContent(ByteRanges.Serialize([new(0, 1)])));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task One_signature_request_cannot_make_the_registry_hash_more_than_its_bound()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 3_000_000);
        var limited = registry.Server.Host.Services.GetRequiredService<Aar.Server.Chunks.ChunkOptions>().MaxSignatureBytes;
        Assert.Equal(64L * 1024 * 1024, limited);

        // The same blob asked many times over (ranges may not overlap, so walk it in slices): 4,096 ranges of 700 bytes
        // is 2.8 MB, within the bound; the bound itself is checked on a blob that would need 64 MiB of it.
        var slices = Enumerable.Range(0, 4096).Select(i => new ByteRange(i * 700L, 700)).ToArray();
        using var many = await PostSignaturesAsync(registry.Http, blob.Digest, ByteRanges.Serialize(slices));
        Assert.Equal(HttpStatusCode.OK, many.StatusCode);
        Assert.Equal(4096 * ChunkSignatureWire.EntrySize, (await many.Content.ReadAsByteArrayAsync()).Length);

        var big = await StoreAsync(registry, (int)limited + 1);
        using var refused = await PostSignaturesAsync(registry.Http, big.Digest, ByteRanges.Serialize([new(0, limited + 1)]));
        var problem = await AssertProblem(refused, HttpStatusCode.RequestEntityTooLarge, ProblemTypes.BodyTooLarge);
        Assert.Contains("split them over several requests", problem.Detail, StringComparison.Ordinal);
    }

    internal static async Task<HttpResponseMessage> PostSignaturesAsync(HttpClient http, BlobDigest digest, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(ByteRanges.MediaType);
        return await http.PostAsync(RegistryRoutes.BlobSignatures(digest), content);
    }

    /// <summary>The answer is the problem named, and its detail says <paramref name="words"/>.</summary>
    private static async Task AssertRefusedAsync(Task<HttpResponseMessage> sent, HttpStatusCode status, string type, string words)
    {
        using var response = await sent;
        var problem = await AssertProblem(response, status, type);
        Assert.Contains(words, problem.Detail, StringComparison.Ordinal);
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
