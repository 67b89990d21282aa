using System.Buffers;
using Aar.Protocol.Chunking;
using Aar.Server.Problems;
using Aar.Server.Storage;

namespace Aar.Server.Chunks;

/// <summary>Reads ranges of a stored blob in request order, piece by piece, through one pooled buffer.</summary>
internal static class StoredRanges
{
    /// <summary>
    /// Hands every piece of every range to <paramref name="piece"/> with the range's index. A local file is opened once
    /// and read at each offset; any other store (S3) opens one ranged read per range (clients coalesce adjacent chunks
    /// into one range). A blob shorter than it said throws <see cref="StorageUnavailableException"/>.
    /// </summary>
    public static async Task ReadAsync(BlobContent content, ByteRange[] ranges, Func<int, ReadOnlyMemory<byte>, ValueTask> piece, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            using var file = content.PhysicalPath is { } path ? File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete) : null;
            for (var r = 0; r < ranges.Length; r++)
            {
                var range = ranges[r];
                await using var stream = file is null ? await content.OpenAsync(range.Offset, range.Length, cancellationToken) : null;
                long done = 0;
                while (done < range.Length)
                {
                    var wanted = buffer.AsMemory(0, (int)Math.Min(buffer.Length, range.Length - done));
                    var read = file is not null
                        ? await RandomAccess.ReadAsync(file, wanted, range.Offset + done, cancellationToken)
                        : await stream!.ReadAsync(wanted, cancellationToken);
                    if (read == 0)
                    {
                        throw new StorageUnavailableException($"Blob {content.Digest} ended early at {range.Offset + done} bytes.");
                    }

                    await piece(r, buffer.AsMemory(0, read));
                    done += read;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
