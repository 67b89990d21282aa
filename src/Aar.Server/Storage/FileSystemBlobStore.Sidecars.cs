using Aar.IO;
using Aar.Protocol.Registry;

namespace Aar.Server.Storage;

/// <summary>
/// Sidecars as <c>&lt;kind&gt;/ab/abcd…</c> in the blobs directory: in the same store as the blob but out of
/// <c>sha256/</c>, so whatever reads that directory sees blobs only.
/// </summary>
internal sealed partial class FileSystemBlobStore : IBlobSidecars
{
    private string SidecarPath(BlobDigest digest, string kind) => Path.Combine(_root, kind, digest.Hex[..2], digest.Hex);

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
        // Named after its kind, so a look into .tmp tells a sidecar being written from a blob being received.
        var temporary = Path.Combine(_temporary, Guid.NewGuid().ToString("n") + "." + kind);
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
            // File.Delete tolerates a missing file, not a missing directory (no sidecar was ever written in that shard).
            if (File.Exists(SidecarPath(digest, kind)))
            {
                File.Delete(SidecarPath(digest, kind));
            }
        }
    }
}
