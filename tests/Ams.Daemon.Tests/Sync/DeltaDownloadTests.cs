using System.IO.Compression;
using System.Security.Cryptography;
using Aar.Protocol.Chunking;
using Aar.Protocol.Management;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>
/// Pulling version N+1 when the AMS holds version N, over real mTLS: only the chunks it lacks cross the network, and
/// whatever happens (a fresh package, a damaged local copy, a registry whose index or bytes lie) the version ends
/// ready with exactly the published bytes, or is not imported at all.
/// </summary>
public sealed class DeltaDownloadTests(ITestOutputHelper output)
{
    private const int AssetSize = 1 << 20;

    private static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A package of six 1 MiB stored (uncompressed, as an APK's assets and native libraries are) entries.</summary>
    private static TestPackage Package(string name, int seed, Func<int, int>? assetSeed = null, byte[]? first = null)
    {
        var package = TestPackage.Minimal(name)
            .File("manifest.yaml", $"name: {name}\nversion: \"1.0\"\ninstance-type: a2.3\nboot-package: com.example.app\n");
        if (first is not null)
        {
            package.File("aaa-inserted.bin", first);
        }

        for (var i = 0; i < 6; i++)
        {
            package.File($"assets/part{i}.bin", Random(AssetSize, assetSeed?.Invoke(i) ?? (seed * 100) + i));
        }

        return package;
    }

    private static async Task<string> PublishAsync(SyncRig rig, AmsTestDaemon publisher, string name, TestPackage package)
    {
        var path = package.WriteZip(Path.Combine(publisher.Scratch, $"{name}-{Guid.NewGuid():N}.zip"), CompressionLevel.NoCompression);
        using var client = publisher.Client();
        var existing = await client.GetApplicationAsync(name);
        await using (var file = File.OpenRead(path))
        {
            using var content = new StreamContent(file);
            var started = await client.UploadPackageAsync(content, Path.GetFileName(path), existing.Succeeded ? name : null);
            Assert.True(started.Succeeded, started.Problem?.Detail);
            var done = await client.WaitOperationAsync(started.Value!.Id, TimeSpan.FromMinutes(2));
            Assert.True(done.Succeeded && done.Value!.Status == OperationInfo.Success, done.Problem?.Detail ?? done.Value?.Err);
        }

        var version = (await client.GetApplicationAsync(name)).Value!.Versions[^1].Number;
        Assert.True((await client.SetPublishedAsync(name, version, true)).Succeeded);
        Assert.Equal("ok", (await SyncRig.SyncAsync(publisher)).Result);
        return Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path)));
    }

    private static async Task<(SyncPassReport Pass, DeltaDownloadInfo? Delta)> PullAsync(AmsTestDaemon client)
    {
        var pass = await SyncRig.SyncAsync(client);
        using var local = client.Client();
        return (pass, (await local.GetRegistryStatusAsync()).Value!.LastDelta);
    }

    /// <summary>The version is ready and its stored package is exactly the published bytes.</summary>
    private static async Task AssertReadyAsync(AmsTestDaemon client, string name, string sha256)
    {
        var version = (await SyncRig.FindAsync(client, name))!.Versions.Single(v => v.Sha256 == sha256);
        Assert.Equal("ready", version.Status);
        var stored = Path.Combine(client.DataDirectory, "packages", "sha256", sha256);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(stored))));
    }

    [Fact]
    public async Task Changed_entries_and_an_insertion_move_only_what_changed_and_a_new_package_is_downloaded_whole()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        var first = await PublishAsync(rig, publisher, "game", Package("game", 1));
        var (pass, delta) = await PullAsync(client);
        Assert.Equal("ok", pass.Result);
        Assert.Null(delta);
        await AssertReadyAsync(client, "game", first);

        // (c) A completely new package: nothing to reuse, so the whole download runs (no delta recorded).
        var fresh = await PublishAsync(rig, publisher, "game", Package("game", 2));
        (pass, delta) = await PullAsync(client);
        Assert.Equal("ok", pass.Result);
        Assert.Null(delta);
        await AssertReadyAsync(client, "game", fresh);

        // (a) One of six entries changed: about a sixth of the package moves.
        var changed = await PublishAsync(rig, publisher, "game", Package("game", 2, i => i == 3 ? 999 : 200 + i));
        (pass, delta) = await PullAsync(client);
        Assert.Equal("ok", pass.Result);
        Assert.NotNull(delta);
        var size = new FileInfo(Path.Combine(client.DataDirectory, "packages", "sha256", changed)).Length;
        Assert.Equal(size, delta.Fetched + delta.Reused);
        Assert.InRange(delta.Fetched, AssetSize, (long)(AssetSize * 1.3) + (4 * ChunkParameters.Default.Max));
        await AssertReadyAsync(client, "game", changed);

        // (b) 20 KB inserted near the start: every offset after it shifts, the chunks still match.
        var inserted = await PublishAsync(rig, publisher, "game", Package("game", 2, i => i == 3 ? 999 : 200 + i, first: Random(20_000, 7)));
        (pass, delta) = await PullAsync(client);
        Assert.Equal("ok", pass.Result);
        Assert.Equal("game", delta!.Application);
        Assert.InRange(delta.Fetched, 20_000, 20_000 + (4 * ChunkParameters.Default.Max));
        await AssertReadyAsync(client, "game", inserted);
    }
}
