using System.IO.Compression;
using System.Security.Cryptography;
using Aar.Protocol.Chunking;
using Aar.Protocol.Management;
using Aar.Protocol.Registry;
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
    private static TestPackage Package(string name, int seed, Func<int, int>? assetSeed = null, byte[]? first = null, byte[]? part3 = null)
    {
        var package = TestPackage.Minimal(name)
            .File("manifest.yaml", $"name: {name}\nversion: \"1.0\"\ninstance-type: a2.3\nboot-package: com.example.app\n");
        if (first is not null)
        {
            package.File("aaa-inserted.bin", first);
        }

        for (var i = 0; i < 6; i++)
        {
            package.File($"assets/part{i}.bin", i == 3 && part3 is not null ? part3 : Random(AssetSize, assetSeed?.Invoke(i) ?? (seed * 100) + i));
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Small_insertions_inside_an_entry_fetch_little_more_than_the_inserted_bytes(bool damagedSource)
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        var first = await PublishAsync(rig, publisher, "game", Package("game", 1));
        Assert.Equal("ok", (await SyncRig.SyncAsync(client)).Result);

        // 8 insertions of 8 KiB, 128 KiB apart, inside one 1 MiB entry: each falls inside a 64 KiB chunk, and the
        // entry's growth changes the zip's central directory at the end.
        var asset = Random(AssetSize, 103);
        var edited = new List<byte>();
        for (var i = 0; i < 8; i++)
        {
            edited.AddRange(Random(8192, 500 + i));
            edited.AddRange(asset.AsSpan(i * 128 * 1024, 128 * 1024).ToArray());
        }

        var second = await PublishAsync(rig, publisher, "game", Package("game", 1, part3: [.. edited]));
        if (damagedSource)
        {
            // The held package damaged every 4 KiB through the old entry: the fine pieces read from it no longer make
            // their chunks hash right, and those chunks are fetched whole instead.
            var path = PackagePath(client, first);
            var bytes = await File.ReadAllBytesAsync(path);
            var at = bytes.AsSpan().IndexOf(asset.AsSpan(0, 64));
            for (var i = at; i < at + AssetSize; i += 4096)
            {
                bytes[i] ^= 0xff;
            }

            await File.WriteAllBytesAsync(path, bytes);
        }

        var (pass, delta) = await PullAsync(client);

        Assert.Equal("ok", pass.Result);
        Assert.NotNull(delta);
        output.WriteLine($"damaged {damagedSource}: fetched {delta.Fetched}, reused {delta.Reused} for {8 * 8192} inserted");
        await AssertReadyAsync(client, "game", second);
        if (damagedSource)
        {
            // Most of the entry: a chunk whose local pieces all fell between two damaged bytes is still reused, rightly.
            Assert.InRange(delta.Fetched, AssetSize / 2, 2 * AssetSize);
        }
        else
        {
            // The inserted 64 KiB plus about two fine chunks (2.5 KiB on average) per edit, and the changed zip
            // headers; without the fine level each edit fetches the whole chunk it fell in (0.9 MB in all, measured).
            Assert.InRange(delta.Fetched, 8 * 8192, (8 * 8192) + (8 * 8 * 1024) + (32 * 1024));
        }
    }

    /// <summary>Version 1 pulled by the client, version 2 (one entry changed) published; returns both digests.</summary>
    private async Task<(SyncRig Rig, AmsTestDaemon Client, AmsTestDaemon Publisher, string First, string Second)> TwoVersionsAsync()
    {
        var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        var first = await PublishAsync(rig, publisher, "game", Package("game", 1));
        Assert.Equal("ok", (await SyncRig.SyncAsync(client)).Result);
        var second = await PublishAsync(rig, publisher, "game", Package("game", 1, i => i == 3 ? 999 : 100 + i));
        return (rig, client, publisher, first, second);
    }

    private static string PackagePath(AmsTestDaemon daemon, string sha256) => Path.Combine(daemon.DataDirectory, "packages", "sha256", sha256);

    [Fact]
    public async Task A_damaged_local_source_is_noticed_while_copying_and_its_chunk_fetched_instead()
    {
        var (rig, client, _, first, second) = await TwoVersionsAsync();
        await using var _rig = rig;
        var source = PackagePath(client, first);
        var bytes = await File.ReadAllBytesAsync(source);
        bytes[(int)(1.5 * AssetSize)] ^= 0xff;
        await File.WriteAllBytesAsync(source, bytes);

        var (pass, delta) = await PullAsync(client);

        Assert.Equal("ok", pass.Result);
        Assert.True(delta!.Fetched > AssetSize, $"{delta.Fetched} bytes fetched: the damaged chunk should be among them");
        await AssertReadyAsync(client, "game", second);
    }

    [Fact]
    public async Task A_delta_resumes_from_its_recorded_progress_after_the_daemon_or_the_connection_went_away()
    {
        var (rig, client, publisher, _, second) = await TwoVersionsAsync();
        await using var _rig = rig;
        // What a daemon killed (or a connection cut) after all but the last batch leaves in registry/downloads: the
        // chunks written and fsynced, and the count of them recorded.
        var bytes = await File.ReadAllBytesAsync(PackagePath(publisher, second));
        var index = await ChunkIndexBuilder.ComputeAsync(new MemoryStream(bytes), ChunkParameters.Default);
        var done = index.Count - 1;
        var downloads = Path.Combine(client.DataDirectory, "registry", "downloads");
        Directory.CreateDirectory(downloads);
        var partial = Path.Combine(downloads, second + ".delta");
        await File.WriteAllBytesAsync(partial, bytes[..(int)index.OffsetOf(done)]);
        await File.WriteAllTextAsync(partial + ".done", done.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var (pass, delta) = await PullAsync(client);

        Assert.Equal("ok", pass.Result);
        Assert.InRange(delta!.Fetched, 0, index.LengthOf(done));
        await AssertReadyAsync(client, "game", second);
        Assert.Empty(Directory.EnumerateFiles(downloads));
    }

    [Fact]
    public async Task Range_bytes_that_do_not_match_the_index_are_refused_and_nothing_is_imported()
    {
        var (rig, client, _, _, second) = await TwoVersionsAsync();
        await using var _rig = rig;
        // The index is computed in the background after the publish; made from the damaged bytes it would not verify
        // and the client would rightly skip the delta, so it must exist before the damage.
        using (var raw = await rig.RawPublisherAsync())
        {
            Assert.True(BlobDigest.TryParse("sha256:" + second, out var digest));
            Assert.True((await raw.GetChunkIndexAsync(digest)).Succeeded);
        }

        // The registry's copy damaged inside the changed entry: its ranges and its whole download both carry wrong bytes.
        await StoredBlobDamage.FlipByteAsync(rig.Registry, "sha256:" + second, (int)(3.5 * AssetSize));

        var (pass, _) = await PullAsync(client);

        Assert.NotEqual("ok", pass.Result);
        Assert.Contains(pass.Errors, e => e.Contains("was not assembled from local chunks: The registry's bytes for chunk", StringComparison.Ordinal));
        Assert.Contains(pass.Errors, e => e.Contains("do not match its digest", StringComparison.Ordinal));
        Assert.DoesNotContain((await SyncRig.FindAsync(client, "game"))!.Versions, v => v.Sha256 == second);
    }

    [Fact]
    public async Task A_chunk_index_that_lies_is_refused_with_a_sentence_and_the_verified_whole_download_follows()
    {
        var (rig, client, _, first, second) = await TwoVersionsAsync();
        await using var _rig = rig;
        if (rig.Registry.Options.BlobStore == "s3")
        {
            // The lie is planted in the sidecar file; the S3 run covers the rest of this class.
            return;
        }

        await using var source = File.OpenRead(PackagePath(client, first));
        var held = (await ChunkIndexBuilder.ComputeAsync(source, ChunkParameters.Default)).Chunks().Select(c => c.Hash).ToHashSet();
        using (var raw = await rig.RawPublisherAsync())
        {
            Assert.True(BlobDigest.TryParse("sha256:" + second, out var digest));
            Assert.True((await raw.GetChunkIndexAsync(digest)).Succeeded);
        }

        // The chunks the client lacks get wrong hashes; the index stays well-formed (its checksum recomputed).
        var sidecar = Path.Combine(rig.Registry.DataDirectory, "blobs", "chunks", second[..2], second);
        var wire = await File.ReadAllBytesAsync(sidecar);
        var index = ChunkIndexWire.Parse(wire, ChunkIndexLimits.Default);
        for (var i = 0; i < index.Count; i++)
        {
            if (!held.Contains(index.HashOf(i)))
            {
                wire[ChunkIndexWire.HeaderSize + (i * ChunkIndexWire.EntrySize) + 4] ^= 0xff;
            }
        }

        SHA256.HashData(wire.AsSpan(0, wire.Length - 32), wire.AsSpan(wire.Length - 32));
        await File.WriteAllBytesAsync(sidecar, wire);

        var (pass, delta) = await PullAsync(client);

        Assert.Contains(pass.Errors, e => e.Contains("do not match its SHA-256 in the chunk index", StringComparison.Ordinal) && e.EndsWith("It is downloaded whole instead.", StringComparison.Ordinal));
        Assert.Null(delta);
        await AssertReadyAsync(client, "game", second);
    }
}
