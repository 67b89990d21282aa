using System.Net;
using Aar.Protocol;
using Aar.Protocol.Chunking;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.StorageRegistry;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests;

/// <summary>Uploads that survive broken connections, server restarts and idle time; and the typed client's resume.</summary>
public sealed class UploadResumeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_that_disconnects_mid_chunk_keeps_what_arrived_and_resumes_to_a_verified_blob()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(8 * 1024 * 1024);
        var session = await UploadSessionTests.StartAsync(registry);
        using var broken = new MtlsClient(registry.Server.Address, registry.Server.ServerFingerprint, registry.PublisherCertificate);
        var content = new BreakingContent(blob.Bytes, breakAfter: 3 * 1024 * 1024);
        content.Headers.TryAddWithoutValidation("Content-Range", $"bytes 0-{blob.Bytes.Length - 1}/*");

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => broken.Http.PatchAsync(session.Location, content));

        var offset = await WaitForOffsetAsync(registry, session, o => o > 0);
        Assert.InRange(offset, 1, 3 * 1024 * 1024);
        using var typed = registry.Typed();
        var result = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length, new UploadOptions { ResumeSessionId = session.Id, ChunkSize = 1024 * 1024, RetryDelay = TimeSpan.FromMilliseconds(50) });
        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
    }

    [Fact]
    public async Task An_upload_resumes_after_a_server_restart_from_its_saved_hash_state()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(3_000_000);
        var session = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..2_000_000], 0))).Dispose();

        await registry.Server.RestartAsync();

        using var typed = registry.Typed();
        var status = await typed.GetUploadAsync(session.Id);
        Assert.Equal(2_000_000, status.Value?.Offset);
        var result = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length, new UploadOptions { ResumeSessionId = session.Id });
        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
    }

    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task Without_a_saved_hash_state_the_partial_file_is_rehashed_after_a_restart()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(3_000_000);
        var session = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..2_000_000], 0))).Dispose();
        await registry.Server.StopAsync();
        // A row written before migration 4, or by a node without libcrypto: no state to restore.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(registry.Server.DataDirectory, "aar.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE upload_sessions SET hash_state = NULL";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        await registry.Server.RestartAsync();

        using var typed = registry.Typed();
        var result = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length, new UploadOptions { ResumeSessionId = session.Id });
        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
    }

    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task Bytes_written_past_the_recorded_offset_by_a_crash_are_cut_off_before_the_session_continues()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(300_000);
        var session = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..100_000], 0))).Dispose();
        await registry.Server.StopAsync();
        // A chunk that reached the file but died before its offset was recorded (with garbage, to prove it is cut).
        await using (var file = new FileStream(Path.Combine(registry.UploadsDirectory, session.Id), FileMode.Append))
        {
            await file.WriteAsync(new byte[50_000]);
        }

        await registry.Server.RestartAsync(keepPort: true);

        using var finish = await registry.Http.PutAsync($"{session.Location}?digest={blob.Digest}", Chunk(blob.Bytes[100_000..], 100_000));
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
    }

    [Fact]
    public async Task An_idle_session_expires_and_its_bytes_are_reclaimed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { UploadIdleTimeout = TimeSpan.FromHours(1) }, time);
        var expiring = await UploadSessionTests.StartAsync(registry);
        var reclaimed = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(expiring.Location, Chunk(new byte[1000], 0))).Dispose();
        (await registry.Http.PatchAsync(reclaimed.Location, Chunk(new byte[1000], 0))).Dispose();

        // Past the idle timeout but within one reclaim interval (15 min): a request is told the session expired.
        time.Advance(TimeSpan.FromMinutes(61));
        using var late = await registry.Http.PatchAsync(expiring.Location, Chunk(new byte[1000], 1000));
        var problem = await AssertProblem(late, HttpStatusCode.NotFound, ProblemTypes.UploadExpired);
        Assert.Contains("01:00:00", problem.Detail, StringComparison.Ordinal);

        // One interval later the reclaimer has removed the other session's bytes without anyone asking.
        time.Advance(TimeSpan.FromMinutes(16));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (registry.StoredFiles().Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Empty(registry.StoredFiles());
        using var gone = await registry.Http.GetAsync(reclaimed.Location);
        await AssertProblem(gone, HttpStatusCode.NotFound, ProblemTypes.UploadUnknown);
    }

    [Fact]
    public async Task The_typed_client_starts_a_new_session_when_its_session_expired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { UploadIdleTimeout = TimeSpan.FromHours(1) }, time);
        var blob = TestBlob.Random(2_000_000);
        var session = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..1_000_000], 0))).Dispose();
        time.Advance(TimeSpan.FromHours(2));
        using var typed = registry.Typed();

        var result = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length, new UploadOptions { ResumeSessionId = session.Id, ChunkSize = 500_000 });

        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
    }

    [Fact]
    public async Task A_second_writer_on_a_busy_session_is_409_with_the_offset()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var session = await UploadSessionTests.StartAsync(registry);
        using var slow = new MtlsClient(registry.Server.Address, registry.Server.ServerFingerprint, registry.PublisherCertificate);
        var gate = new TaskCompletionSource();
        var stalled = new StallingContent(new byte[2000], stallAfter: 1000, gate.Task);
        stalled.Headers.TryAddWithoutValidation("Content-Range", "bytes 0-1999/*");
        var first = slow.Http.PatchAsync(session.Location, stalled);
        await stalled.Stalled;
        await Task.Delay(200);

        using var second = await registry.Http.PatchAsync(session.Location, Chunk(new byte[100], 0));

        var problem = await AssertProblem(second, HttpStatusCode.Conflict, ProblemTypes.UploadBusy);
        Assert.Equal(0, problem.Offset);
        gate.SetResult();
        using var done = await first;
        Assert.Equal(HttpStatusCode.Accepted, done.StatusCode);
    }

    [Fact]
    public async Task The_typed_client_skips_blobs_the_registry_has_and_downloads_with_range_resume()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(2_500_000);
        using var typed = registry.Typed();
        var first = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length, new UploadOptions { ChunkSize = 1_000_000 });
        Assert.True(first.Succeeded, first.Problem?.Detail);
        var sessionsBefore = registry.StagedSessions();
        var second = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length);
        Assert.True(second.Succeeded);
        Assert.Equal(sessionsBefore, registry.StagedSessions());

        using var directory = new TempDirectory("dl");
        var target = directory.Combine("package.bin");
        await File.WriteAllBytesAsync(target, blob.Bytes[..1_234_567]);
        var download = await typed.DownloadBlobAsync(blob.Digest, target);

        Assert.True(download.Succeeded, download.Problem?.Detail);
        Assert.Equal(blob.Bytes, await File.ReadAllBytesAsync(target));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_234_567)]
    public async Task A_download_asked_for_its_chunk_index_computes_it_in_the_same_pass_also_when_it_resumes(int held)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(2_500_000);
        using var typed = registry.Typed();
        Assert.True((await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length)).Succeeded);
        using var directory = new TempDirectory("dl");
        var target = directory.Combine("package.bin");
        await File.WriteAllBytesAsync(target, blob.Bytes[..held]);

        ChunkIndex? index = null;
        var download = await typed.DownloadBlobAsync(blob.Digest, target, indexed: i => index = i);

        Assert.True(download.Succeeded, download.Problem?.Detail);
        var expected = await ChunkIndexBuilder.ComputeAsync(new MemoryStream(blob.Bytes), ChunkParameters.Default);
        Assert.NotNull(index);
        Assert.Equal(blob.Digest, index.Digest);
        Assert.Equal(expected.Chunks(), index.Chunks());

        // A damaged partial file: the download fails its digest, and no index is handed over for bytes that did not verify.
        await File.WriteAllBytesAsync(target, new byte[held + 1]);
        index = null;
        var damaged = await typed.DownloadBlobAsync(blob.Digest, target, indexed: i => index = i);
        Assert.False(damaged.Succeeded);
        Assert.Null(index);
    }

    [Fact]
    public async Task Publishing_a_file_uploads_once_and_creates_the_version_idempotently()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        using var directory = new TempDirectory("pkg");
        var blob = TestBlob.Random(1_500_000);
        var path = directory.Combine("game.zip");
        await File.WriteAllBytesAsync(path, blob.Bytes);
        using var manifest = System.Text.Json.JsonDocument.Parse("""{"name":"game"}""");
        using var typed = registry.Typed();

        var first = await typed.PublishFileAsync("game", "amd64", 0, path, manifest.RootElement, ["beta"], new UploadOptions { ChunkSize = 1_000_000 });
        var again = await typed.PublishFileAsync("game", "amd64", 0, path, manifest.RootElement, ["beta"]);

        Assert.True(first.Succeeded, first.Problem?.Detail);
        Assert.Equal((blob.Digest.ToString(), 1_500_000L, "game"), (first.Value!.Digest, first.Value.Size, first.Value.Manifest.GetProperty("name").GetString()));
        Assert.True(again.Succeeded, again.Problem?.Detail);
        Assert.Equal(first.Value.Generation, again.Value!.Generation);
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
    }

    [Fact]
    public async Task A_download_onto_a_corrupt_partial_file_fails_verification_and_empties_it()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(100_000);
        (await registry.PutBlobAsync(blob)).Dispose();
        using var typed = registry.Typed();
        using var directory = new TempDirectory("dl");
        var target = directory.Combine("package.bin");
        await File.WriteAllBytesAsync(target, new byte[5000]);

        var download = await typed.DownloadBlobAsync(blob.Digest, target);

        Assert.Equal(ProblemTypes.DigestMismatch, download.Problem?.Type);
        Assert.Equal(0, new FileInfo(target).Length);
    }

    internal static async Task<long> WaitForOffsetAsync(StorageRegistry registry, UploadSession session, Func<long, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var status = await registry.Http.GetAsync(session.Location);
            var offset = (await ReadAsync(status, ProtocolJsonContext.Default.UploadSession)).Offset;
            if (condition(offset) || DateTime.UtcNow > deadline)
            {
                return offset;
            }

            await Task.Delay(50);
        }
    }
}
