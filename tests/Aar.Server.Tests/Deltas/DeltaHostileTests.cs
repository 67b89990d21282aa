using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.Deltas.DeltaPackages;

namespace Aar.Server.Tests.Deltas;

/// <summary>
/// A hostile or broken publisher cannot make a delta upload store wrong bytes, read beyond a blob, or cost unbounded
/// work: each refusal is a clear 4xx before any byte moves, and nothing becomes visible.
/// </summary>
public sealed class DeltaHostileTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_copy_from_a_blob_the_registry_does_not_hold_is_refused_and_moves_nothing()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var session = await UploadSessionTests.StartAsync(registry);
        var absent = BlobDigest.Of(Random(1000, 1));

        var problem = await CopyAsync(registry, session.Id, 0, new BlobRange { Blob = absent.ToString(), Offset = 0, Length = 100 }, HttpStatusCode.Conflict);

        Assert.Equal(ProblemTypes.CopySourceUnknown, problem.Type);
        Assert.Contains(absent.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.Equal(0, (await registry.Typed().GetUploadAsync(session.Id)).Value!.Offset);
    }

    [Theory]
    [InlineData(0, 1_000_001)]
    [InlineData(999_999, 2)]
    [InlineData(-1, 10)]
    [InlineData(0, 0)]
    [InlineData(long.MaxValue, 10)]
    [InlineData(10, long.MaxValue)]
    public async Task A_range_that_does_not_lie_inside_the_blob_is_refused(long offset, long length)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var source = TestBlob.Random(1_000_000);
        (await registry.PutBlobAsync(source)).EnsureSuccessStatusCode();
        var session = await UploadSessionTests.StartAsync(registry);

        var problem = await CopyAsync(registry, session.Id, 0, new BlobRange { Blob = source.Digest.ToString(), Offset = offset, Length = length }, HttpStatusCode.BadRequest);

        Assert.Equal(ProblemTypes.InvalidRequest, problem.Type);
        Assert.Equal(0, (await registry.Typed().GetUploadAsync(session.Id)).Value!.Offset);
    }

    [Fact]
    public async Task Too_many_ranges_or_hashes_are_refused_before_any_is_looked_at()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var session = await UploadSessionTests.StartAsync(registry);
        var absent = BlobDigest.Of(Random(10, 2)).ToString();
        var ranges = Enumerable.Range(0, 4097).Select(i => new BlobRange { Blob = absent, Offset = i, Length = 1 }).ToList();

        using var copy = await registry.Http.PostAsync(RegistryRoutes.UploadCopy(session.Id), JsonContent.Create(new UploadCopyRequest { Offset = 0, Ranges = ranges }, ProtocolJsonContext.Default.UploadCopyRequest));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, copy.StatusCode);

        // Past Kestrel's body limit too: without 100-continue the client may still be sending when the refusal closes
        // the connection, and then sees a cut instead of the 413 (as any client sending that much would).
        using var tooMany = new HttpRequestMessage(HttpMethod.Post, RegistryRoutes.ChunkLookup) { Content = Octets(new byte[32 * 32769]) };
        tooMany.Headers.ExpectContinue = true;
        using var lookup = await registry.Http.SendAsync(tooMany);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, lookup.StatusCode);

        using var ragged = await registry.Http.PostAsync(RegistryRoutes.ChunkLookup, Octets(new byte[33]));
        Assert.Equal(HttpStatusCode.BadRequest, ragged.StatusCode);
    }

    [Fact]
    public async Task Bytes_that_do_not_make_the_declared_digest_are_discarded_and_never_visible()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var source = TestBlob.Random(2_000_000);
        (await registry.PutBlobAsync(source)).EnsureSuccessStatusCode();
        var claimed = BlobDigest.Of(Random(2_000_000, 3));
        var session = await UploadSessionTests.StartAsync(registry);

        // The publisher names stored chunks that are not what it claims to upload.
        await CopyAsync(registry, session.Id, 0, new BlobRange { Blob = source.Digest.ToString(), Offset = 0, Length = 2_000_000 }, HttpStatusCode.Accepted);
        using var complete = await registry.Http.PutAsync($"{session.Location}?digest={claimed}", null);

        Assert.Equal(HttpStatusCode.BadRequest, complete.StatusCode);
        Assert.Equal(ProblemTypes.DigestMismatch, (await ReadAsync(complete, ProtocolJsonContext.Default.Problem)).Type);
        Assert.Equal([source.RelativePath], registry.StoredFiles());
        using var head = await registry.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, RegistryRoutes.Blob(claimed)));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task A_copy_must_start_at_the_session_offset_and_only_its_publisher_may_copy()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var source = TestBlob.Random(100_000);
        (await registry.PutBlobAsync(source)).EnsureSuccessStatusCode();
        var session = await UploadSessionTests.StartAsync(registry);
        var range = new BlobRange { Blob = source.Digest.ToString(), Offset = 0, Length = 1000 };

        var gap = await CopyAsync(registry, session.Id, 5, range, HttpStatusCode.RequestedRangeNotSatisfiable);
        Assert.Equal((ProblemTypes.UploadOffsetMismatch, 0L), (gap.Type, gap.Offset));

        var other = await registry.AddCallerAsync("publisher-2", TrustRole.Publisher);
        using var foreign = await other.Http.PostAsync(RegistryRoutes.UploadCopy(session.Id), JsonContent.Create(new UploadCopyRequest { Offset = 0, Ranges = [range] }, ProtocolJsonContext.Default.UploadCopyRequest));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);

        var client = await registry.AddCallerAsync("client-1", TrustRole.Client);
        using var lookup = await client.Http.PostAsync(RegistryRoutes.ChunkLookup, Octets(new byte[32]));
        Assert.Equal(HttpStatusCode.Forbidden, lookup.StatusCode);
        Assert.Equal(0, (await registry.Typed().GetUploadAsync(session.Id)).Value!.Offset);
    }

    [Fact]
    public async Task A_delta_upload_abandoned_midway_resumes_its_session_instead_of_starting_again()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var old = Random(12 * 1024 * 1024, 4);
        var next = (byte[])old.Clone();
        Random(256 * 1024, 5).CopyTo(next, 6 * 1024 * 1024);
        using (var first = registry.Typed())
        {
            Assert.True((await first.UploadBlobAsync(new MemoryStream(old), BlobDigest.Of(old), old.Length)).Succeeded);
        }

        await WaitRecordedAsync(registry.Http, old);

        // A publisher copied the first 4 MiB and sent 1 MiB of new bytes, then died (its process, or the connection).
        var session = await UploadSessionTests.StartAsync(registry);
        await CopyAsync(registry, session.Id, 0, new BlobRange { Blob = BlobDigest.Of(old).ToString(), Offset = 0, Length = 4 << 20 }, HttpStatusCode.Accepted);
        var content = new BreakingContent(next[(4 << 20)..(6 << 20)], breakAfter: 1 << 20);
        content.Headers.TryAddWithoutValidation("Content-Range", $"bytes {4 << 20}-{(6 << 20) - 1}/*");
        using (var broken = new MtlsClient(registry.Server.Address, registry.Server.ServerFingerprint, registry.PublisherCertificate))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => broken.Http.PatchAsync(session.Location, content));
        }

        var held = await StorageRegistryWait.OffsetAsync(registry, session.Id, o => o > 4 << 20);
        using var client = registry.Typed();
        var digest = BlobDigest.Of(next);
        var result = await client.UploadDeltaAsync(new MemoryStream(next), digest, next.Length, DeltaPackages.Chunks(next), options: new UploadOptions { ResumeSessionId = session.Id });

        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.True(result.Value!.Delta);
        // Only what the session did not hold yet moved, and little of it was sent.
        Assert.Equal(next.Length - held, result.Value.SentBytes + result.Value.ReusedBytes);
        Assert.InRange(result.Value.SentBytes, 1, (2 << 20) + (512 << 10));
        Assert.Equal(next, await registry.ReadStoredAsync(new TestBlob(next, digest)));
        Assert.Equal(0, await registry.SessionRowsAsync());
    }

    private static async Task<Problem> CopyAsync(StorageRegistry registry, string session, long offset, BlobRange range, HttpStatusCode expected)
    {
        using var response = await registry.Http.PostAsync(RegistryRoutes.UploadCopy(session), JsonContent.Create(new UploadCopyRequest { Offset = offset, Ranges = [range] }, ProtocolJsonContext.Default.UploadCopyRequest));
        Assert.Equal(expected, response.StatusCode);
        return response.IsSuccessStatusCode ? new Problem { Type = "", Title = "", Status = 0 } : await ReadAsync(response, ProtocolJsonContext.Default.Problem);
    }

    private static ByteArrayContent Octets(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private static Task<T> ReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => StorageRegistry.ReadAsync(response, type);
}

/// <summary>Waits for an upload session's offset (the registry records a broken chunk's bytes once it notices the break).</summary>
internal static class StorageRegistryWait
{
    public static async Task<long> OffsetAsync(StorageRegistry registry, string session, Func<long, bool> done)
    {
        using var client = registry.Typed();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var offset = (await client.GetUploadAsync(session)).Value!.Offset;
            if (done(offset))
            {
                return offset;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The session's offset stayed at {offset}.");
            await Task.Delay(50);
        }
    }
}
