using System.Buffers.Binary;

namespace Aar.Protocol.Chunking;

/// <summary>
/// The answer of <c>POST /1.0/blobs/{digest}/signatures</c> (<c>application/vnd.aar.chunk-signatures</c>): for each
/// asked range in request order, its content-defined chunks with <see cref="ChunkParameters.Fine"/>, each 36 bytes
/// (length as a little-endian 32-bit integer, then its SHA-256); a range's chunk lengths add up to the range's length.
/// Binary for the same reason as the range list: a few KB for hundreds of ranges, and a parse that cannot go wrong.
/// </summary>
public static class ChunkSignatureWire
{
    public const string MediaType = "application/vnd.aar.chunk-signatures";
    public const int EntrySize = 4 + ChunkHash.Size;

    public static void Write(ChunkSignature chunk, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, chunk.Length);
        chunk.Hash.Write(destination[4..]);
    }

    /// <summary>
    /// The most bytes an honest answer for <paramref name="ranges"/> takes: every chunk but a range's last is at least
    /// <see cref="ChunkParameters.Min"/> long. A reader stops there, whatever the registry sends.
    /// </summary>
    public static long MostBytes(IReadOnlyList<ByteRange> ranges, ChunkParameters parameters) =>
        ranges.Sum(r => (r.Length / parameters.Min) + 1) * EntrySize;

    /// <summary>
    /// Reads the answer for <paramref name="ranges"/>: one array of chunks per range. Throws
    /// <see cref="ChunkIndexFormatException"/> with a sentence when it is not one: a chunk outside
    /// [<see cref="ChunkParameters.Min"/>, <see cref="ChunkParameters.Max"/>] (a range's last may be shorter), lengths
    /// that do not add up to their range, or bytes left over. Memory stays within <see cref="MostBytes"/>.
    /// </summary>
    public static async Task<ChunkSignature[][]> ReadAsync(Stream body, IReadOnlyList<ByteRange> ranges, ChunkParameters parameters, CancellationToken cancellationToken = default)
    {
        var entry = new byte[EntrySize];
        var answer = new ChunkSignature[ranges.Count][];
        var chunks = new List<ChunkSignature>();
        for (var r = 0; r < ranges.Count; r++)
        {
            chunks.Clear();
            for (long covered = 0; covered < ranges[r].Length;)
            {
                try
                {
                    await body.ReadExactlyAsync(entry, cancellationToken);
                }
                catch (EndOfStreamException)
                {
                    throw new ChunkIndexFormatException($"The signatures ended inside range {r} ({covered} of its {ranges[r].Length} bytes described).");
                }

                var length = BinaryPrimitives.ReadInt32LittleEndian(entry);
                var left = ranges[r].Length - covered;
                if (length <= 0 || length > parameters.Max || length > left || (length < parameters.Min && length != left))
                {
                    throw new ChunkIndexFormatException($"Range {r} has a chunk of {length} bytes where {left} bytes are left and chunks are {parameters.Min} to {parameters.Max} bytes.");
                }

                chunks.Add(new ChunkSignature(length, ChunkHash.Read(entry.AsSpan(4))));
                covered += length;
            }

            answer[r] = [.. chunks];
        }

        if (await body.ReadAsync(entry.AsMemory(0, 1), cancellationToken) != 0)
        {
            throw new ChunkIndexFormatException("The signatures go on after the last asked range.");
        }

        return answer;
    }
}
