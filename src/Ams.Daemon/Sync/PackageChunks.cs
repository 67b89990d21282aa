using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;

namespace Ams.Daemon.Sync;

/// <summary>A package's content-defined chunks, as a delta upload names them to the registry (the registry's parameters).</summary>
internal static class PackageChunks
{
    public static IReadOnlyList<PackageChunk> From(ChunkIndex index)
    {
        var hashes = new byte[index.Count * ChunkHash.Size];
        var chunks = new PackageChunk[index.Count];
        foreach (var chunk in index.Chunks())
        {
            var hash = hashes.AsMemory(chunk.Number * ChunkHash.Size, ChunkHash.Size);
            chunk.Hash.Write(hash.Span);
            chunks[chunk.Number] = new PackageChunk(chunk.Offset, chunk.Length, hash);
        }

        return chunks;
    }
}
