using System.Buffers;
using Aar.Protocol.Chunking;
using Aar.Server.Problems;
using Aar.Server.Storage;

namespace Aar.Server.Chunks;

/// <summary>Reads ranges of a stored blob in request order, piece by piece, through one pooled buffer.</summary>
internal static class StoredRanges
{
    /// <summary>
    /// Ranges in ascending order this close to each other share one ranged read on a store without a local file: on
    /// radosgw every read is a request of its own (about 20 ms), so 4,096 small ranges read one by one took over 100 s,
    /// where reading the few bytes between them costs nothing.
    /// </summary>
    private const long JoinGap = 256 * 1024;

    /// <summary>The longest span one joined read may cover.</summary>
    private const long JoinSpan = 16L * 1024 * 1024;

    /// <summary>
    /// Hands every piece of every range to <paramref name="piece"/> with the range's index. A local file is opened once
    /// and read at each offset; any other store (S3) opens one ranged read per run of close ranges (see
    /// <see cref="JoinGap"/>). A blob shorter than it said throws <see cref="StorageUnavailableException"/>.
    /// </summary>
    public static async Task ReadAsync(BlobContent content, ByteRange[] ranges, Func<int, ReadOnlyMemory<byte>, ValueTask> piece, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            if (content.PhysicalPath is { } path)
            {
                using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
                for (var r = 0; r < ranges.Length; r++)
                {
                    for (long done = 0; done < ranges[r].Length;)
                    {
                        var wanted = buffer.AsMemory(0, (int)Math.Min(buffer.Length, ranges[r].Length - done));
                        var read = await RandomAccess.ReadAsync(file, wanted, ranges[r].Offset + done, cancellationToken);
                        if (read == 0)
                        {
                            throw new StorageUnavailableException($"Blob {content.Digest} ended early at {ranges[r].Offset + done} bytes.");
                        }

                        await piece(r, buffer.AsMemory(0, read));
                        done += read;
                    }
                }

                return;
            }

            for (var first = 0; first < ranges.Length;)
            {
                var last = first;
                while (last + 1 < ranges.Length && ranges[last + 1].Offset >= ranges[last].End
                    && ranges[last + 1].Offset - ranges[last].End <= JoinGap && ranges[last + 1].End - ranges[first].Offset <= JoinSpan)
                {
                    last++;
                }

                await using var stream = await content.OpenAsync(ranges[first].Offset, ranges[last].End - ranges[first].Offset, cancellationToken);
                var position = ranges[first].Offset;
                for (var r = first; r <= last; r++)
                {
                    // The bytes between two joined ranges are read and dropped.
                    for (long skipped = 0, gap = ranges[r].Offset - position; skipped < gap;)
                    {
                        skipped += await ReadSomeAsync(stream, buffer.AsMemory(0, (int)Math.Min(buffer.Length, gap - skipped)), content, position + skipped, cancellationToken);
                    }

                    for (long done = 0; done < ranges[r].Length;)
                    {
                        var read = await ReadSomeAsync(stream, buffer.AsMemory(0, (int)Math.Min(buffer.Length, ranges[r].Length - done)), content, ranges[r].Offset + done, cancellationToken);
                        await piece(r, buffer.AsMemory(0, read));
                        done += read;
                    }

                    position = ranges[r].End;
                }

                first = last + 1;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<int> ReadSomeAsync(Stream stream, Memory<byte> into, BlobContent content, long at, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAsync(into, cancellationToken);
        return read > 0 ? read : throw new StorageUnavailableException($"Blob {content.Digest} ended early at {at} bytes.");
    }
}
