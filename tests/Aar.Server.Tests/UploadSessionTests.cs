using System.Net;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Xunit.Abstractions;
using static Aar.Server.Tests.StorageRegistry;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests;

/// <summary>/1.0/uploads over real mTLS: chunks with Content-Range, offsets, finishing, and every refusal.</summary>
public sealed class UploadSessionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_chunked_upload_reports_its_offset_and_finishes_into_a_verified_blob()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(3_000_000);
        var session = await StartAsync(registry);

        for (var start = 0; start < blob.Bytes.Length; start += 1_000_000)
        {
            using var chunk = await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[start..(start + 1_000_000)], start));
            Assert.Equal(HttpStatusCode.Accepted, chunk.StatusCode);
            Assert.Equal(start + 1_000_000, (await ReadAsync(chunk, ProtocolJsonContext.Default.UploadSession)).Offset);
            Assert.Equal($"{start + 1_000_000}", chunk.Headers.GetValues(RegistryRoutes.UploadOffsetHeader).Single());
            Assert.Equal($"0-{start + 999_999}", chunk.Headers.GetValues("Range").Single());
            using var status = await registry.Http.GetAsync(session.Location);
            Assert.Equal(start + 1_000_000, (await ReadAsync(status, ProtocolJsonContext.Default.UploadSession)).Offset);
        }

        using var finish = await registry.Http.PutAsync($"{session.Location}?digest={blob.Digest}&size={blob.Bytes.Length}", null);

        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
        Assert.Equal(new BlobDescriptor { Digest = blob.Digest.ToString(), Size = blob.Bytes.Length }, await ReadAsync(finish, ProtocolJsonContext.Default.BlobDescriptor));
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
        using var get = await registry.Http.GetAsync($"/1.0/blobs/{blob.Digest}");
        Assert.Equal(blob.Bytes, await get.Content.ReadAsByteArrayAsync());
        using var gone = await registry.Http.GetAsync(session.Location);
        await AssertProblem(gone, HttpStatusCode.NotFound, ProblemTypes.UploadUnknown);
    }

    [Fact]
    public async Task The_last_chunk_may_ride_on_the_finishing_put()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(2000);
        var session = await StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..1500], 0))).Dispose();

        using var finish = await registry.Http.PutAsync($"{session.Location}?digest={blob.Digest}", Chunk(blob.Bytes[1500..], 1500));

        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
    }

    [Theory]
    [InlineData(0, "an overlapping chunk (starts inside what the session holds)")]
    [InlineData(500, "a repeated chunk")]
    [InlineData(1500, "a gap")]
    [InlineData(1001, "a one-byte gap")]
    public async Task A_chunk_not_starting_at_the_offset_is_416_with_the_offset_and_changes_nothing(int start, string what)
    {
        output.WriteLine(what);
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(3000);
        var session = await StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..500], 0))).Dispose();
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[500..1000], 500))).Dispose();

        using var response = await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[start..(start + 500)], start));

        var problem = await AssertProblem(response, HttpStatusCode.RequestedRangeNotSatisfiable, ProblemTypes.UploadOffsetMismatch);
        Assert.Equal(1000, problem.Offset);
        Assert.Equal("1000", response.Headers.GetValues(RegistryRoutes.UploadOffsetHeader).Single());
        Assert.Equal(1000, registry.StagedBytes(session.Id));
        using var finish = await registry.Http.PutAsync($"{session.Location}?digest={blob.Digest}", Chunk(blob.Bytes[1000..], 1000));
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
    }

    [Theory]
    [InlineData("bytes 10-")]
    [InlineData("bytes abc-def/*")]
    [InlineData("bytes 100-50/*")]
    [InlineData("bytes -5/*")]
    [InlineData("bytes 0-99/50")]
    [InlineData("bytes 0-99/x")]
    [InlineData("items 0-99/*")]
    public async Task A_malformed_content_range_is_400(string header)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var session = await StartAsync(registry);

        using var response = await registry.Http.PatchAsync(session.Location, Chunk(new byte[100], 0, header));

        await AssertProblem(response, HttpStatusCode.BadRequest, ProblemTypes.InvalidContentRange);
        Assert.Equal(0, registry.StagedBytes(session.Id));
    }

    [Fact]
    public async Task A_chunk_without_content_range_or_with_a_disagreeing_length_is_400()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var session = await StartAsync(registry);

        using var missing = await registry.Http.PatchAsync(session.Location, new ByteArrayContent(new byte[100]));
        using var disagreeing = await registry.Http.PatchAsync(session.Location, Chunk(new byte[100], 0, "bytes 0-199/*"));

        await AssertProblem(missing, HttpStatusCode.BadRequest, ProblemTypes.InvalidContentRange);
        var problem = await AssertProblem(disagreeing, HttpStatusCode.BadRequest, ProblemTypes.InvalidContentRange);
        Assert.Contains("Content-Length is 100", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunk_past_the_maximum_size_is_413()
    {
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { MaxBlobBytes = 1500 });
        var session = await StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(new byte[1000], 0))).Dispose();

        using var response = await registry.Http.PatchAsync(session.Location, Chunk(new byte[1000], 1000));

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, ProblemTypes.BodyTooLarge);
        Assert.Equal(1000, registry.StagedBytes(session.Id));
    }

    [Fact]
    public async Task Unknown_sessions_and_other_publishers_sessions_are_404()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var other = await registry.AddCallerAsync("publisher-2", TrustRole.Publisher);
        var session = await StartAsync(registry);

        using var unknown = await registry.Http.GetAsync("/1.0/uploads/0123456789abcdef0123456789abcdef");
        using var malformed = await registry.Http.PatchAsync("/1.0/uploads/..%2F..%2Faar.db", Chunk(new byte[10], 0));
        using var foreign = await other.Http.PatchAsync(session.Location, Chunk(new byte[10], 0));
        using var foreignCancel = await other.Http.DeleteAsync(session.Location);

        await AssertProblem(unknown, HttpStatusCode.NotFound, ProblemTypes.UploadUnknown);
        await AssertProblem(malformed, HttpStatusCode.NotFound, ProblemTypes.UploadUnknown);
        await AssertProblem(foreign, HttpStatusCode.NotFound, ProblemTypes.UploadUnknown);
        await AssertProblem(foreignCancel, HttpStatusCode.NotFound, ProblemTypes.UploadUnknown);
        using var mine = await registry.Http.GetAsync(session.Location);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
    }

    [Fact]
    public async Task Finishing_with_the_wrong_digest_is_400_discards_the_session_and_stores_nothing()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(5000);
        var wrong = TestBlob.Random(5000).Digest;
        var session = await StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes, 0))).Dispose();

        using var finish = await registry.Http.PutAsync($"{session.Location}?digest={wrong}", null);

        var problem = await AssertProblem(finish, HttpStatusCode.BadRequest, ProblemTypes.DigestMismatch);
        Assert.Contains(blob.Digest.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.Contains(wrong.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.Empty(registry.StoredFiles());
        using var status = await registry.Http.GetAsync(session.Location);
        await AssertProblem(status, HttpStatusCode.NotFound, ProblemTypes.UploadUnknown);
    }

    [Fact]
    public async Task Finishing_with_the_wrong_size_is_400_and_the_session_stays_usable()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(5000);
        var session = await StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..4000], 0))).Dispose();

        using var early = await registry.Http.PutAsync($"{session.Location}?digest={blob.Digest}&size=5000", null);

        var problem = await AssertProblem(early, HttpStatusCode.BadRequest, ProblemTypes.SizeMismatch);
        Assert.Equal(4000, problem.Offset);
        Assert.Equal([Path.Combine("uploads", session.Id)], registry.StoredFiles());
        using var finish = await registry.Http.PutAsync($"{session.Location}?digest={blob.Digest}&size=5000", Chunk(blob.Bytes[4000..], 4000));
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
    }

    [Fact]
    public async Task Cancelling_removes_the_session_and_its_bytes()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var session = await StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(new byte[1000], 0))).Dispose();

        using var cancel = await registry.Http.DeleteAsync(session.Location);

        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        Assert.Empty(registry.StoredFiles());
        using var again = await registry.Http.PatchAsync(session.Location, Chunk(new byte[10], 1000));
        await AssertProblem(again, HttpStatusCode.NotFound, ProblemTypes.UploadUnknown);
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("sha256:abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    public async Task A_start_naming_a_malformed_digest_is_refused_and_opens_no_session(string digest)
    {
        await using var registry = await StorageRegistry.StartAsync(output);

        using var response = await registry.Http.PostAsync($"/1.0/uploads?digest={Uri.EscapeDataString(digest)}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await registry.SessionRowsAsync());
    }

    /// <summary>Starts a session, naming the <paramref name="digest"/> it will send when one is given.</summary>
    internal static async Task<UploadSession> StartAsync(StorageRegistry registry, BlobDigest? digest = null)
    {
        using var response = await registry.Http.PostAsync(digest is { } named ? $"/1.0/uploads?digest={named}" : "/1.0/uploads", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = await ReadAsync(response, ProtocolJsonContext.Default.UploadSession);
        Assert.Equal(0, session.Offset);
        Assert.Equal(session.Location, response.Headers.Location?.OriginalString);
        return session;
    }
}
