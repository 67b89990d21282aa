using System.Net;
using Aar.Protocol.Chunking;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Chunks;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.Deltas.DeltaPackages;
using static Aar.Server.Tests.StorageRegistry;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests.Deltas;

/// <summary>
/// A session started with <c>?index=chunks</c> (every upload by difference) has the new blob's chunk index computed as
/// its bytes arrive and stored when it completes, so nothing reads the blob again; any gap leaves the index to the
/// background pass, and the index served is right either way. Runs on S3 too.
/// </summary>
public sealed class UploadIndexTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_session_that_asks_for_its_index_gets_it_stored_at_completion_without_a_second_pass(bool asks)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var metrics = registry.Server.Host.Services.GetRequiredService<ChunkMetrics>();
        var blob = TestBlob.Random(3 * 1024 * 1024 + 12345);
        var session = await StartAsync(registry, blob.Digest, asks ? "chunks" : null);
        for (var start = 0; start < blob.Bytes.Length; start += 1024 * 1024)
        {
            var end = Math.Min(blob.Bytes.Length, start + 1024 * 1024);
            using var chunk = await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[start..end], start));
            Assert.Equal(HttpStatusCode.Accepted, chunk.StatusCode);
        }

        var computedBefore = metrics.IndexesComputed;
        using var finish = await registry.Http.PutAsync($"{session.Location}?digest={blob.Digest}", null);
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);

        // A session that asked finds the index beside the blob when the upload answers (without asking, the background
        // pass may or may not have stored it by now: the count below tells the two apart).
        if (asks)
        {
            Assert.True(await registry.HasSidecarAsync(blob));
        }

        await WaitRecordedAsync(registry.Http, blob.Bytes);
        Assert.Equal(asks ? computedBefore : computedBefore + 1, metrics.IndexesComputed);
        await AssertServedIndexIsTrueAsync(registry, blob.Bytes);
    }

    [Fact]
    public async Task An_upload_by_difference_finds_its_index_stored_when_it_completes()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var metrics = registry.Server.Host.Services.GetRequiredService<ChunkMetrics>();
        var old = Random(16 * 1024 * 1024, 41);
        var next = (byte[])old.Clone();
        Random(256 * 1024, 42).CopyTo(next, 5 * 1024 * 1024);
        long indexedBefore = 0;

        var outcome = await DeltaUploadTests.UploadNextAsync(registry, old, next, beforeDelta: () => indexedBefore = metrics.IndexedBytes);

        Assert.True(outcome.Delta);
        Assert.True(await registry.HasSidecarAsync(new TestBlob(next, BlobDigest.Of(next))));
        await WaitRecordedAsync(registry.Http, next);
        // At most the small blob of sent pieces is indexed in the background; the 16 MiB package is not read again.
        Assert.InRange(metrics.IndexedBytes - indexedBefore, 0, 1024 * 1024);
        await AssertServedIndexIsTrueAsync(registry, next);
    }

    [Fact]
    public async Task A_chunk_that_breaks_off_keeps_the_index_exact_and_the_resumed_upload_still_stores_it()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var metrics = registry.Server.Host.Services.GetRequiredService<ChunkMetrics>();
        var blob = TestBlob.Random(6 * 1024 * 1024);
        var session = await StartAsync(registry, blob.Digest, "chunks");
        using var broken = new MtlsClient(registry.Server.Address, registry.Server.ServerFingerprint, registry.PublisherCertificate);
        var content = new BreakingContent(blob.Bytes, breakAfter: 2 * 1024 * 1024 + 777);
        content.Headers.TryAddWithoutValidation("Content-Range", $"bytes 0-{blob.Bytes.Length - 1}/*");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => broken.Http.PatchAsync(session.Location, content));
        await UploadResumeTests.WaitForOffsetAsync(registry, session, o => o > 0);

        using var typed = registry.Typed();
        var result = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length, new UploadOptions { ResumeSessionId = session.Id, ChunkSize = 1024 * 1024, RetryDelay = TimeSpan.FromMilliseconds(50) });
        Assert.True(result.Succeeded, result.Problem?.Detail);

        await WaitRecordedAsync(registry.Http, blob.Bytes);
        // Whether this node kept the index through the break (it saw exactly the bytes kept) or dropped it, the
        // index served describes the stored bytes.
        output.WriteLine($"indexes computed in the background: {metrics.IndexesComputed}");
        await AssertServedIndexIsTrueAsync(registry, blob.Bytes);
    }

    [Fact]
    public async Task A_session_resumed_after_a_restart_is_indexed_from_its_stored_bytes()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(3 * 1024 * 1024);
        var session = await StartAsync(registry, blob.Digest, "chunks");
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..(1024 * 1024)], 0))).Dispose();

        // The restarted node has the saved hash state but not the index of the first MiB: it must not store half an index.
        await registry.Server.RestartAsync();
        var metrics = registry.Server.Host.Services.GetRequiredService<ChunkMetrics>();
        using var publisher = new MtlsClient(registry.Server.Address, registry.Server.ServerFingerprint, registry.PublisherCertificate);
        using (var rest = await publisher.Http.PatchAsync(session.Location, Chunk(blob.Bytes[(1024 * 1024)..], 1024 * 1024)))
        {
            Assert.Equal(HttpStatusCode.Accepted, rest.StatusCode);
        }

        using var finish = await publisher.Http.PutAsync($"{session.Location}?digest={blob.Digest}", null);
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);

        await WaitRecordedAsync(publisher.Http, blob.Bytes);
        Assert.Equal(1, metrics.IndexesComputed);
        await AssertServedIndexIsTrueAsync(registry, blob.Bytes);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("Chunks")]
    [InlineData("")]
    [InlineData("chunks,chunks")]
    public async Task A_session_asking_for_an_index_it_cannot_have_is_refused_and_nothing_is_staged(string value)
    {
        await using var registry = await StorageRegistry.StartAsync(output);

        using var response = await registry.Http.PostAsync($"/1.0/uploads?index={Uri.EscapeDataString(value)}", null);

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest);
        Assert.Contains("index=chunks", problem.Detail);
        Assert.Equal(0, await registry.SessionRowsAsync());
        Assert.Equal(0, registry.StagedSessions());
    }

    private static async Task<UploadSession> StartAsync(StorageRegistry registry, BlobDigest digest, string? index)
    {
        using var response = await registry.Http.PostAsync(index is null ? $"/1.0/uploads?digest={digest}" : $"/1.0/uploads?digest={digest}&index={index}", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await ReadAsync(response, Aar.Protocol.ProtocolJsonContext.Default.UploadSession);
    }

    /// <summary>The registry's index of <paramref name="bytes"/> is the one computed here from the bytes themselves.</summary>
    private static async Task AssertServedIndexIsTrueAsync(StorageRegistry registry, byte[] bytes)
    {
        using var client = registry.Typed();
        var served = await client.GetChunkIndexAsync(BlobDigest.Of(bytes));
        Assert.True(served.Succeeded, served.Problem?.Detail);
        var expected = await ChunkIndexBuilder.ComputeAsync(new MemoryStream(bytes), ChunkParameters.Default);
        Assert.Equal(expected.Digest, served.Value!.Digest);
        Assert.Equal(expected.Chunks().ToArray(), served.Value.Chunks().ToArray());
    }
}
