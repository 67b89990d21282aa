using Aar.IO;
using Aar.Protocol.Registry;

namespace Aar.Server.Storage;

/// <summary>Sidecars as <c>sha256/ab/abcd….&lt;kind&gt;</c>: beside the blob, skipped by the listing (not a digest).</summary>
internal sealed partial class FileSystemBlobStore : IBlobSidecars
{
    private string SidecarPath(BlobDigest digest, string kind) => PathOf(digest) + "." + kind;

    public async Task<byte[]?> ReadSidecarAsync(BlobDigest digest, string kind, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(SidecarPath(digest, kind), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous);
            if (stream.Length > maxBytes)
            {
                return null;
            }

            var bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
            return bytes;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task WriteSidecarAsync(BlobDigest digest, string kind, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(_temporary, Guid.NewGuid().ToString("n"));
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(bytes, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            var target = SidecarPath(digest, kind);
            DurableDirectory.Create(Path.GetDirectoryName(target)!);
            File.Move(temporary, target, overwrite: true);
            DurableDirectory.Flush(Path.GetDirectoryName(target)!);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task DeleteSidecarsAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        DeleteSidecars(digest);
        return Task.CompletedTask;
    }

    private void DeleteSidecars(BlobDigest digest)
    {
        foreach (var kind in IBlobSidecars.Kinds)
        {
            File.Delete(SidecarPath(digest, kind));
        }
    }
}
