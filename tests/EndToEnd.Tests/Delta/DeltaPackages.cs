using System.IO.Compression;
using System.Security.Cryptography;
using Aar.Protocol.Chunking;
using TestSupport;

namespace EndToEnd.Tests.Delta;

/// <summary>
/// APK-shaped packages for delta tests, written at run time into an AMS host's working directory: a zip whose bulk is
/// <see cref="Entries"/> stored (uncompressed, as an APK's assets and native libraries are) entries of random bytes.
/// Version 1 is version 0 with <see cref="Changed"/> entries rewritten in place. The package is kept small (the tests
/// run in CI on 2 cores): what makes a transfer by difference take seconds is the slowed link its changed chunks
/// cross, and there are enough of them (24 MiB) for a download to record a first 16 MiB batch and then fetch a second.
/// Written in 1 MiB pieces, never held in memory; the same seeds give the same bytes.
/// </summary>
internal static class DeltaPackages
{
    public const int Entries = 20;

    public const int EntryMebibytes = 4;

    /// <summary>The entries version 1 changes, spread over the package so the changed chunks come in several batches.</summary>
    public static readonly int[] Changed = [2, 5, 8, 11, 14, 17];

    public static long ChangedBytes => Changed.Length * ((long)EntryMebibytes << 20);

    /// <summary>One build time for every entry: the versions differ only where their content does.</summary>
    private static readonly DateTimeOffset Built = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes version <paramref name="version"/> (0 or 1) of <paramref name="name"/> on <paramref name="ams"/>'s host.</summary>
    public static string Write(AmsNode ams, string name, int version)
    {
        var path = Path.Combine(ams.Home, $"{name}-{version}.zip");
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        foreach (var entry in TestPackage.Minimal(name).Entries)
        {
            using var stream = Add(zip, entry.Name).Open();
            stream.Write(entry.Content ?? []);
        }

        var buffer = new byte[1 << 20];
        for (var i = 0; i < Entries; i++)
        {
            var random = new Random((i * 2) + (version > 0 && Changed.Contains(i) ? 1 : 0));
            using var stream = Add(zip, $"assets/part{i:D2}.bin").Open();
            for (var piece = 0; piece < EntryMebibytes; piece++)
            {
                random.NextBytes(buffer);
                stream.Write(buffer);
            }
        }

        return path;
    }

    /// <summary>The package's chunk index as the AMS and the registry compute it (its digest and length included).</summary>
    public static async Task<ChunkIndex> IndexAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return await ChunkIndexBuilder.ComputeAsync(file, ChunkParameters.Default);
    }

    public static async Task<string> Sha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }

    private static ZipArchiveEntry Add(ZipArchive zip, string name)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = Built;
        return entry;
    }
}
