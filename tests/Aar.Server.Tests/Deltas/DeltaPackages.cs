using System.IO.Compression;
using System.Net.Http.Headers;
using Aar.Protocol;
using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;

namespace Aar.Server.Tests.Deltas;

/// <summary>Packages for delta tests (APK-shaped zips, random blobs with edits), their chunks, and waiting for the registry to record a blob.</summary>
internal static class DeltaPackages
{
    /// <summary>An APK-shaped zip: stored native library, assets and resources, a deflated dex; entries named by content.</summary>
    public static byte[] Zip(IReadOnlyDictionary<string, byte[]> entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var level = name.EndsWith(".dex", StringComparison.Ordinal) ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
                using var stream = zip.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }

        return memory.ToArray();
    }

    public static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static IReadOnlyList<PackageChunk> Chunks(byte[] package)
    {
        using var builder = new ChunkIndexBuilder();
        builder.Append(package);
        var index = builder.Complete();
        return [.. index.Chunks().Select(c =>
        {
            var hash = new byte[ChunkHash.Size];
            c.Hash.Write(hash);
            return new PackageChunk(c.Offset, c.Length, hash);
        })];
    }

    /// <summary>Asks the registry about <paramref name="package"/>'s chunks until it knows them all (it records a new blob's chunks in the background).</summary>
    public static async Task WaitRecordedAsync(HttpClient http, byte[] package)
    {
        var chunks = Chunks(package);
        var body = chunks.SelectMany(c => c.Hash.ToArray()).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await http.PostAsync(RegistryRoutes.ChunkLookup, content);
            response.EnsureSuccessStatusCode();
            var matches = await System.Text.Json.JsonSerializer.DeserializeAsync(await response.Content.ReadAsStreamAsync(), ProtocolJsonContext.Default.ChunkMatches);
            if (matches!.Runs.Sum(r => r.Count) == chunks.Count)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "The registry did not record the blob's chunks within 60 s.");
            await Task.Delay(50);
        }
    }
}
