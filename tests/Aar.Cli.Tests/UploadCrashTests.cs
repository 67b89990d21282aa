using System.Security.Cryptography.X509Certificates;
using Aar.Cli.Common;
using Aar.Protocol.Certificates;
using Aar.Protocol.Registry;
using TestSupport;

namespace Aar.Cli.Tests;

/// <summary>
/// kill -9 of a real <c>aar serve</c> process in the middle of uploads: nothing half-written ever becomes visible,
/// and a chunked upload resumes from its last durable offset to a verified blob.
/// </summary>
public sealed class UploadCrashTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly TempDirectory _temp = new();
    private readonly X509Certificate2 _publisher = TestCertificates.Client("publisher");

    private string Data => _temp.Combine("data");

    [Fact]
    public async Task A_chunked_upload_killed_mid_chunk_resumes_from_its_last_checkpoint_to_a_verified_blob()
    {
        var bytes = RandomBytes(120 * MiB);
        var digest = BlobDigest.Of(bytes);
        string id;
        using (var server = await StartServerAsync(trust: true))
        {
            using var client = Client(server.Port);
            id = (await client.StartUploadAsync()).Value!.Id;
            Assert.True((await client.UploadChunkAsync(id, bytes, 0, 8 * MiB)).IsSuccessStatusCode);
            using var stalling = new StallingChunk(bytes, 8 * MiB, 112 * MiB, stallAfter: 70 * MiB);
            var inFlight = client.SendChunkAsync(id, stalling);
            await stalling.Stalled;
            // The server persists the offset every 64 MiB within a chunk; wait until that checkpoint is durable.
            await WaitAsync(async () => (await client.GetUploadAsync(id)).Value?.Offset >= 72 * MiB);
            Assert.False((await client.FindBlobAsync(digest)).Succeeded);

            server.Process.Signal(AarProcess.SigKill);
            await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            stalling.Release();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => inFlight);
        }

        using (var restarted = await StartServerAsync(trust: false))
        {
            using var client = Client(restarted.Port);
            Assert.False((await client.FindBlobAsync(digest)).Succeeded);
            Assert.Equal(72 * MiB, (await client.GetUploadAsync(id)).Value?.Offset);

            var result = await client.UploadBlobAsync(new MemoryStream(bytes), digest, bytes.Length, new UploadOptions { ResumeSessionId = id, ChunkSize = 16 * MiB });

            Assert.True(result.Succeeded, result.Problem?.Detail);
            var download = _temp.Combine("download.bin");
            var downloaded = await client.DownloadBlobAsync(digest, download);
            Assert.True(downloaded.Succeeded, downloaded.Problem?.Detail);
            Assert.Equal(bytes.Length, new FileInfo(download).Length);
            Assert.Empty(Directory.GetFiles(Path.Combine(Data, "uploads")));
        }
    }

    [Fact]
    public async Task A_monolithic_upload_killed_mid_body_leaves_nothing_visible_and_nothing_behind_after_restart()
    {
        var bytes = RandomBytes(64 * MiB);
        var digest = BlobDigest.Of(bytes);
        using (var server = await StartServerAsync(trust: true))
        {
            using var client = Client(server.Port);
            using var stalling = new StallingChunk(bytes, 0, bytes.Length, stallAfter: 40 * MiB);
            var inFlight = client.PutMonolithicAsync(digest, stalling);
            await stalling.Stalled;
            await WaitAsync(() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(Data, "blobs", ".tmp")).Any(f => new FileInfo(f).Length >= 32 * MiB)));
            Assert.False((await client.FindBlobAsync(digest)).Succeeded);

            server.Process.Signal(AarProcess.SigKill);
            await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            stalling.Release();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => inFlight);
        }

        using var restarted = await StartServerAsync(trust: false);
        using var after = Client(restarted.Port);
        Assert.False((await after.FindBlobAsync(digest)).Succeeded);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Data, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task One_upload_call_rides_out_a_kill_9_and_restart_of_the_server()
    {
        var bytes = RandomBytes(160 * MiB);
        var digest = BlobDigest.Of(bytes);
        var port = AarProcess.FreePort();
        var server = await StartServerAsync(trust: true, port);
        RunningServer? restarted = null;
        try
        {
            using var client = Client(port);
            Task<RunningServer>? restarting = null;
            var progress = new SynchronousProgress(sent =>
            {
                if (restarting is null && sent >= 40 * MiB)
                {
                    server.Process.Signal(AarProcess.SigKill);
                    restarting = Task.Run(async () =>
                    {
                        await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
                        return await StartServerAsync(trust: false, port);
                    });
                }
            });

            var result = await client.UploadBlobAsync(new MemoryStream(bytes), digest, bytes.Length, new UploadOptions { ChunkSize = 16 * MiB, MaxAttempts = 10, RetryDelay = TimeSpan.FromMilliseconds(250), Progress = progress });
            restarted = restarting is null ? null : await restarting;

            Assert.True(result.Succeeded, result.Problem?.Detail);
            Assert.NotNull(restarted);
            var download = _temp.Combine("check.bin");
            Assert.True((await client.DownloadBlobAsync(digest, download)).Succeeded);
            Assert.Equal(bytes.Length, new FileInfo(download).Length);
        }
        finally
        {
            server.Dispose();
            restarted?.Dispose();
        }
    }

    [Fact]
    public async Task A_download_continues_with_a_range_request_after_the_server_is_killed_mid_stream()
    {
        var bytes = RandomBytes(200 * MiB);
        var digest = BlobDigest.Of(bytes);
        var port = AarProcess.FreePort();
        var server = await StartServerAsync(trust: true, port);
        RunningServer? restarted = null;
        try
        {
            using var client = Client(port);
            Assert.True((await client.UploadBlobAsync(new MemoryStream(bytes), digest, bytes.Length, new UploadOptions())).Succeeded);
            var lengthsAfterKill = new List<long>();
            Task<RunningServer>? restarting = null;
            var progress = new SynchronousProgress(length =>
            {
                if (restarting is null && length >= 30 * MiB)
                {
                    // Synchronously inside the download loop: kill -9 now, bring a new server up on the same port.
                    server.Process.Signal(AarProcess.SigKill);
                    restarting = Task.Run(async () =>
                    {
                        await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
                        return await StartServerAsync(trust: false, port);
                    });
                }
                else if (restarting is not null)
                {
                    lengthsAfterKill.Add(length);
                }
            });

            var download = _temp.Combine("download.bin");
            var result = await client.DownloadBlobAsync(digest, download, progress);
            restarted = restarting is null ? null : await restarting;

            Assert.True(result.Succeeded, result.Problem?.Detail);
            Assert.NotNull(restarted);
            Assert.Equal(bytes.Length, new FileInfo(download).Length);
            // The file only ever grew: the download continued where it broke instead of starting over.
            Assert.NotEmpty(lengthsAfterKill);
            Assert.True(lengthsAfterKill[0] >= 30 * MiB, $"restarted from {lengthsAfterKill[0]}");
            Assert.Equal(lengthsAfterKill.Order(), lengthsAfterKill);
        }
        finally
        {
            server.Dispose();
            restarted?.Dispose();
        }
    }

    private async Task<RunningServer> StartServerAsync(bool trust, int? fixedPort = null)
    {
        var port = fixedPort ?? AarProcess.FreePort();
        var process = AarProcess.Start("serve", "--data-dir", Data, "--listen", $"127.0.0.1:{port}");
        await process.WaitUntilReadyAsync(Path.Combine(Data, "unix.socket"), TimeSpan.FromSeconds(30));
        if (trust)
        {
            var added = await AarProcess.RunAsync(TestCertificates.Pem(_publisher), "trust", "add", "-p", "--data-dir", Data);
            Assert.Equal(ExitCodes.Ok, added.ExitCode);
        }

        return new RunningServer(process, port);
    }

    private CrashClient Client(int port)
    {
        using var server = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Data, "certs", "server.crt")));
        return new CrashClient(new Uri($"https://127.0.0.1:{port}"), _publisher, Fingerprint.Of(server));
    }

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the server");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        _publisher.Dispose();
        _temp.Dispose();
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    private sealed record RunningServer(ChildProcess Process, int Port) : IDisposable
    {
        public void Dispose() => Process.Dispose();
    }
}
