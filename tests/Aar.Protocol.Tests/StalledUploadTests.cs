using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Protocol.Tests;

/// <summary>
/// A registry that stops taking an upload (real Kestrel, real mutual TLS): every write request is cut by progress, so
/// a stalled peer costs a bounded time and a slow but moving uplink is never cut.
/// </summary>
public sealed class StalledUploadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(2);

    /// <summary>Without the bound a lost timeout would hang the test run instead of failing this test.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private HostileRegistry _registry = null!;
    private X509Certificate2 _certificate = null!;

    public async Task InitializeAsync()
    {
        _registry = await HostileRegistry.StartAsync(output, "stalls", [1, 2, 3]);
        _certificate = SelfSignedCertificates.CreateClient("publisher", TimeProvider.System);
        // The first request of a process compiles both sides; the tests time later ones against a short idle timeout.
        using var warm = Client(TimeSpan.FromSeconds(60));
        Assert.True((await warm.StartUploadAsync()).Succeeded);
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _certificate.Dispose();
    }

    [Theory]
    [InlineData(Misbehaviour.UploadBodyNotRead, false)]
    [InlineData(Misbehaviour.UploadNoAnswer, true)]
    public async Task A_chunk_the_registry_stops_taking_is_cut_after_the_idle_timeout_on_every_attempt(Misbehaviour mode, bool bodySent)
    {
        _registry.Mode = mode;
        using var client = Client();
        await using var content = Content(24 * 1024 * 1024, out var digest);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<WriteStalledException>(() => client.UploadBlobAsync(content, digest, content.Length, Options(attempts: 2)).WaitAsync(Bound));

        output.WriteLine($"{watch.Elapsed}: {error.Message}");
        Assert.Equal(bodySent, error.BodySent);
        Assert.StartsWith("PATCH ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(bodySent
            ? "no answer came within 3.5 s after the body was sent, with the connection still open; it was cut"
            : "the peer took no byte of the body for 2 s, with the connection still open; it was cut", error.Message, StringComparison.Ordinal);
        // Two attempts of at most idle (+ 1.5 s allowance for 24 MiB once sent) each, one retry delay between them.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        await WaitForAsync(() => _registry.UploadStalls == 2);
        Assert.Equal(0, _registry.UploadBytesKept);
    }

    [Fact]
    public async Task A_finishing_put_that_is_never_answered_is_cut_after_the_idle_timeout_plus_the_stores_allowance()
    {
        _registry.Mode = Misbehaviour.UploadFinishNoAnswer;
        using var client = Client();
        await using var content = Content(1024 * 1024, out var digest);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<WriteStalledException>(() => client.UploadBlobAsync(content, digest, content.Length, Options(attempts: 1)).WaitAsync(Bound));

        Assert.StartsWith("PUT ", error.Message, StringComparison.Ordinal);
        Assert.True(error.BodySent);
        // 2 s idle + 1 MiB at 16 MiB/s.
        Assert.Equal(Idle + TimeSpan.FromSeconds(1 / 16.0), error.Waited);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(1024 * 1024, _registry.UploadBytesKept);
    }

    [Fact]
    public async Task A_stall_costs_one_attempt_and_the_upload_resumes_from_the_registrys_offset()
    {
        _registry.Mode = Misbehaviour.UploadBodyNotRead;
        using var client = Client();
        await using var content = Content(24 * 1024 * 1024, out var digest);
        var heal = Task.Run(async () =>
        {
            await WaitForAsync(() => _registry.UploadStalls == 1);
            _registry.Mode = Misbehaviour.None;
        });

        var result = await client.UploadBlobAsync(content, digest, content.Length, Options(attempts: 3));
        await heal;

        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal(content.Length, result.Value!.Size);
        Assert.Equal(1, _registry.UploadStalls);
    }

    [Fact]
    public async Task A_slow_uplink_whose_chunk_takes_several_idle_timeouts_is_not_cut_while_bytes_move()
    {
        _registry.Mode = Misbehaviour.UploadSlowReader;
        using var client = Client();
        // 64 MiB at about 16 MiB/s: 4 s, two idle timeouts, in one chunk.
        await using var content = Content(64 * 1024 * 1024, out var digest);
        var watch = Stopwatch.StartNew();

        var result = await client.UploadBlobAsync(content, digest, content.Length, Options(attempts: 1));

        output.WriteLine($"slow chunk took {watch.Elapsed}");
        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.True(watch.Elapsed > 1.5 * Idle, $"the reader was not slow: {watch.Elapsed}");
        Assert.Equal(0, _registry.UploadStalls);
        Assert.Equal(content.Length, _registry.UploadBytesKept);
    }

    private RegistryClient Client(TimeSpan? idle = null) => RegistryClient.Create(
        _registry.Address,
        _certificate,
        Fingerprint.TryParse(_registry.ServerFingerprint, out var pinned) ? pinned : throw new InvalidOperationException("fingerprint"),
        options: new RegistryClientOptions { IdleTimeout = idle ?? Idle });

    private static UploadOptions Options(int attempts) => new() { MaxAttempts = attempts, RetryDelay = TimeSpan.FromMilliseconds(100) };

    private static MemoryStream Content(int size, out BlobDigest digest)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        digest = BlobDigest.FromHash(SHA256.HashData(bytes));
        return new MemoryStream(bytes, writable: false);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 20 s");
            await Task.Delay(20);
        }
    }
}
