using Aar.Protocol.Chunking;
using Aar.Protocol.Management;
using Aar.Protocol.Registry;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>
/// A publisher AMS pushes a new version of an application the registry holds by difference: only the changed part
/// travels, the pass report and metrics say what was sent and saved, and the registry ends with the exact package.
/// </summary>
public sealed class DeltaPushTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_new_version_sharing_most_bytes_with_the_pushed_one_sends_only_what_changed()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var obb = new byte[8 * 1024 * 1024];
        new Random(17).NextBytes(obb);
        var first = await CreateAsync(publisher, "game", obb);
        var pushed = await SyncRig.SyncAsync(publisher);
        Assert.Equal(("ok", 1), (pushed.Result, pushed.Uploaded));
        Assert.Equal((new FileInfo(first).Length, 0L), (pushed.UploadSentBytes, pushed.UploadSavedBytes));

        using var registry = await rig.RawPublisherAsync();
        await WaitRecordedAsync(registry, first);
        new Random(18).NextBytes(obb.AsSpan(4 * 1024 * 1024, 64 * 1024));
        var second = await CreateAsync(publisher, "game", obb);
        var delta = await SyncRig.SyncAsync(publisher);

        Assert.Equal(("ok", 1), (delta.Result, delta.Uploaded));
        var size = new FileInfo(second).Length;
        Assert.Equal(size, delta.UploadSentBytes + delta.UploadSavedBytes);
        // 64 KiB changed; a chunk averages 64 KiB and the archive's own headers sit near the start and the end.
        Assert.InRange(delta.UploadSentBytes!.Value, 64 * 1024, 1024 * 1024);
        var versions = (await registry.GetApplicationAsync("game", "amd64")).Value!.Versions;
        Assert.Equal(BlobDigest.Of(await File.ReadAllBytesAsync(second)).ToString(), versions[^1].Digest);
    }

    private static async Task<string> CreateAsync(AmsTestDaemon daemon, string name, byte[] obb)
    {
        var path = TestPackage.Minimal(name)
            .File("manifest.yaml", $"name: {name}\nversion: \"1.0\"\ninstance-type: a2.3\nboot-package: com.example.app\nextra-data:\n  game.obb:\n    target: /sdcard/Android/obb/com.example.app\n")
            .File("extra-data/game.obb", obb)
            .WriteTar(Path.Combine(daemon.Scratch, $"{name}-{Guid.NewGuid():N}.tar"));
        using var client = daemon.Client();
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
        return path;
    }

    private static async Task WaitRecordedAsync(RegistryClient registry, string package)
    {
        await using var file = File.OpenRead(package);
        var index = await ChunkIndexBuilder.ComputeAsync(file, ChunkParameters.Default);
        var hashes = new byte[index.Count * ChunkHash.Size];
        var chunks = index.Chunks().Select(c =>
        {
            c.Hash.Write(hashes.AsSpan(c.Number * ChunkHash.Size, ChunkHash.Size));
            return new PackageChunk(c.Offset, c.Length, hashes.AsMemory(c.Number * ChunkHash.Size, ChunkHash.Size));
        }).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await registry.HeldBytesAsync(chunks) != index.Length)
        {
            Assert.True(DateTime.UtcNow < deadline, "The registry did not record the pushed package's chunks within 60 s.");
            await Task.Delay(50);
        }
    }
}
