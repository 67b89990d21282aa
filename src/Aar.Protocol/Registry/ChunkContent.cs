using System.Buffers;
using System.Net;
using Aar.IO;

namespace Aar.Protocol.Registry;

/// <summary>
/// Exactly <c>length</c> bytes of a seekable stream from <c>offset</c>, sent with a known Content-Length and copied
/// in 1 MiB blocks; the stream is not owned. Reporting progress as bytes leave.
/// </summary>
internal sealed class ChunkContent(Stream source, long offset, long length, IProgress<long>? progress) : HttpContent
{
    private const int BlockSize = 1024 * 1024;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        source.Position = offset;
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var remaining = length;
            var dropFrom = offset;
            while (remaining > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BlockSize, remaining)), cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException($"The content ended {remaining} bytes before the declared size.");
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                remaining -= read;
                progress?.Report(offset + length - remaining);
                if (offset + length - remaining - dropFrom >= Writeback.Window)
                {
                    // A package is uploaded once: let readahead recycle these pages (Writeback.DropRead).
                    Writeback.DropRead(source, dropFrom, offset + length - remaining - dropFrom);
                    dropFrom = offset + length - remaining;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length1)
    {
        length1 = length;
        return true;
    }
}
