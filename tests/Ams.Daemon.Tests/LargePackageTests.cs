using System.IO.Compression;
using System.Security.Cryptography;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

/// <summary>Runs alone: the heap is measured process-wide, so other tests' allocations must not overlap it.</summary>
[CollectionDefinition(nameof(LargePackageTests), DisableParallelization = true)]
public sealed class RunsAlone;

[Collection(nameof(LargePackageTests))]
public sealed class LargePackageTests(ITestOutputHelper output)
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_300_MiB_package_is_streamed_without_the_heap_growing_with_it()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        var path = Path.Combine(daemon.Scratch, "big.zip");
        WriteLargePackage(path, 300);
        var size = new FileInfo(path).Length;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(20, CancellationToken.None);
            }
        });

        var done = await Uploads.ImportOkAsync(client, path);
        await sampling.CancelAsync();
        await sampler;

        var growth = peak - baseline;
        output.WriteLine($"package {size / MiB} MiB, managed heap baseline {baseline / MiB} MiB, peak {peak / MiB} MiB, growth {growth / MiB} MiB");
        Assert.True(growth < 96L * MiB, $"the managed heap grew by {growth / MiB} MiB while importing a {size / MiB} MiB package");
        var version = (await client.GetApplicationAsync(done.Metadata["id"])).Value!.Versions[0];
        Assert.Equal(size, version.Size);
        Assert.Equal(size, new FileInfo(Path.Combine(daemon.DataDirectory, "packages", "sha256", version.Sha256)).Length);
    }

    /// <summary>A valid package whose bulk is incompressible extra-data, stored so the file really is that large.</summary>
    private static void WriteLargePackage(string path, int mebibytes)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var manifest = new StreamWriter(zip.CreateEntry("manifest.yaml").Open()))
        {
            manifest.Write("name: big\nextra-data:\n  data.bin:\n    target: /sdcard/Android/obb/com.example.big\n");
        }

        using (var apk = zip.CreateEntry("app.apk", CompressionLevel.NoCompression).Open())
        {
            apk.Write(TestPackage.Apk());
        }

        using var data = zip.CreateEntry("extra-data/data.bin", CompressionLevel.NoCompression).Open();
        var chunk = new byte[MiB];
        for (var i = 0; i < mebibytes; i++)
        {
            RandomNumberGenerator.Fill(chunk);
            data.Write(chunk);
        }
    }
}
