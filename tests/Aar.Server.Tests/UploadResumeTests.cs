using System.Net;
using Aar.Protocol;
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
        Assert.Equal(blob.Bytes, await File.ReadAllBytesAsync(Path.Combine(registry.Server.DataDirectory, blob.RelativePath)));
    }

    [Fact]
    public async Task An_upload_resumes_after_a_server_restart_by_rehashing_the_partial_file()
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
        Assert.Equal(blob.Bytes, await File.ReadAllBytesAsync(Path.Combine(registry.Server.DataDirectory, blob.RelativePath)));
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
        var sessionsBefore = Directory.GetFiles(registry.UploadsDirectory).Length;
        var second = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length);
        Assert.True(second.Succeeded);
        Assert.Equal(sessionsBefore, Directory.GetFiles(registry.UploadsDirectory).Length);

        using var directory = new TempDirectory("dl");
        var target = directory.Combine("package.bin");
        await File.WriteAllBytesAsync(target, blob.Bytes[..1_234_567]);
        var download = await typed.DownloadBlobAsync(blob.Digest, target);

        Assert.True(download.Succeeded, download.Problem?.Detail);
        Assert.Equal(blob.Bytes, await File.ReadAllBytesAsync(target));
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

    private static async Task<long> WaitForOffsetAsync(StorageRegistry registry, UploadSession session, Func<long, bool> condition)
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

    /// <summary>Sends the first bytes of a body, then fails: the connection breaks mid-request.</summary>
    private sealed class BreakingContent(byte[] bytes, int breakAfter) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(bytes.AsMemory(0, breakAfter));
            await stream.FlushAsync();
            await Task.Delay(300);
            throw new IOException("Simulated network cut.");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }

    /// <summary>Sends part of a body, then waits for a signal before sending the rest.</summary>
    private sealed class StallingContent(byte[] bytes, int stallAfter, Task resume) : HttpContent
    {
        private readonly TaskCompletionSource _stalled = new();

        public Task Stalled => _stalled.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(bytes.AsMemory(0, stallAfter));
            await stream.FlushAsync();
            _stalled.SetResult();
            await resume;
            await stream.WriteAsync(bytes.AsMemory(stallAfter));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
