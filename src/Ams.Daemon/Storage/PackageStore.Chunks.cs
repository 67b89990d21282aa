using Aar.IO;
using Aar.Protocol.Chunking;

namespace Ams.Daemon.Storage;

/// <summary>
/// A chunk index beside each package (<c>packages/sha256/&lt;hex&gt;.chunks</c>, the registry's wire form): what a
/// delta download looks chunks up in. Written at commit when the bytes were indexed as they streamed in, otherwise
/// computed on first use (packages stored before indexes existed) and kept.
/// </summary>
internal sealed partial class PackageStore
{
    public string ChunkIndexPath(string sha256) => PathOf(sha256) + ".chunks";

    /// <summary>The package's chunk index, or null if the package is not stored (or its bytes no longer match its name).</summary>
    public async Task<ChunkIndex?> GetChunkIndexAsync(string sha256, CancellationToken cancellationToken)
    {
        var path = ChunkIndexPath(sha256);
        try
        {
            var index = ChunkIndexWire.Parse(await File.ReadAllBytesAsync(path, cancellationToken), ChunkIndexLimits.Default);
            if (index.Digest.Hex == sha256 && index.Parameters == ChunkParameters.Default)
            {
                return index;
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or ChunkIndexFormatException)
        {
            // Absent or damaged: computed again below.
        }

        ChunkIndex computed;
        try
        {
            await using var file = new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
            computed = await ChunkIndexBuilder.ComputeAsync(file, ChunkParameters.Default, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (computed.Digest.Hex != sha256)
        {
            return null;
        }

        WriteChunkIndex(sha256, computed);
        return computed;
    }

    public void WriteChunkIndex(string sha256, ChunkIndex index)
    {
        var temporary = Path.Combine(options.StagingDirectory, $"{Guid.NewGuid():N}.chunks");
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            file.Write(ChunkIndexWire.Serialize(index));
            file.Flush(flushToDisk: true);
        }

        DurableDirectory.Move(temporary, ChunkIndexPath(sha256), overwrite: true);
    }
}
