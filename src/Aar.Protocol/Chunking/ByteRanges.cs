using System.Buffers.Binary;

namespace Aar.Protocol.Chunking;

/// <summary>A span of a blob: <see cref="Length"/> bytes from <see cref="Offset"/>.</summary>
public readonly record struct ByteRange(long Offset, long Length)
{
    public long End => Offset + Length;
}

/// <summary>
/// The body of <c>POST /1.0/blobs/{digest}/ranges</c> (<c>application/vnd.aar.byte-ranges</c>): 16 bytes a range,
/// offset then length, each a little-endian 64-bit integer. The answer is the ranges' bytes back to back, in request
/// order. Binary so that thousands of ranges cost a few tens of KB and a parse that cannot go wrong.
/// </summary>
public static class ByteRanges
{
    public const string MediaType = "application/vnd.aar.byte-ranges";
    public const int EntrySize = 16;

    public static byte[] Serialize(IReadOnlyList<ByteRange> ranges)
    {
        var bytes = new byte[ranges.Count * EntrySize];
        for (var i = 0; i < ranges.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * EntrySize), ranges[i].Offset);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan((i * EntrySize) + 8), ranges[i].Length);
        }

        return bytes;
    }

    /// <summary>
    /// Parses and checks a request against a blob of <paramref name="size"/> bytes: null and a sentence in
    /// <paramref name="problem"/> if it is empty, not whole entries, more than <paramref name="maxRanges"/> ranges or
    /// <paramref name="maxBytes"/> bytes, or has an empty, out-of-range or overlapping range.
    /// </summary>
    public static ByteRange[]? Parse(ReadOnlySpan<byte> body, long size, int maxRanges, long maxBytes, out string? problem) =>
        Parse(body, size, maxRanges, maxBytes, out problem, out _);

    /// <inheritdoc cref="Parse(ReadOnlySpan{byte}, long, int, long, out string?)"/>
    public static ByteRange[]? Parse(ReadOnlySpan<byte> body, long size, int maxRanges, long maxBytes, out string? problem, out ByteRangeRefusal refusal)
    {
        refusal = ByteRangeRefusal.Malformed;
        problem = body.Length == 0 || body.Length % EntrySize != 0
            ? $"The range list is {body.Length} bytes; it must be a non-empty series of {EntrySize}-byte entries (offset, length)."
            : body.Length / EntrySize > maxRanges ? $"The range list asks for {body.Length / EntrySize} ranges; at most {maxRanges} are served at once."
            : null;
        if (problem is not null)
        {
            refusal = body.Length % EntrySize == 0 && body.Length > 0 ? ByteRangeRefusal.TooLarge : ByteRangeRefusal.Malformed;
            return null;
        }

        var ranges = new ByteRange[body.Length / EntrySize];
        long total = 0;
        for (var i = 0; i < ranges.Length; i++)
        {
            var offset = BinaryPrimitives.ReadInt64LittleEndian(body[(i * EntrySize)..]);
            var length = BinaryPrimitives.ReadInt64LittleEndian(body[((i * EntrySize) + 8)..]);
            if (offset < 0 || length <= 0 || offset > size || length > size - offset)
            {
                problem = $"Range {i} ({length} bytes at {offset}) is empty or not within the blob's {size} bytes.";
                refusal = length <= 0 || offset < 0 ? ByteRangeRefusal.Malformed : ByteRangeRefusal.OutOfRange;
                return null;
            }

            total += length;
            if (total > maxBytes)
            {
                problem = $"The ranges ask for more than {maxBytes} bytes at once; split them over several requests.";
                refusal = ByteRangeRefusal.TooLarge;
                return null;
            }

            ranges[i] = new ByteRange(offset, length);
        }

        var sorted = ranges.OrderBy(r => r.Offset).ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Offset < sorted[i - 1].End)
            {
                problem = $"Ranges overlap ({sorted[i - 1].Length} bytes at {sorted[i - 1].Offset} and {sorted[i].Length} bytes at {sorted[i].Offset}); ask for each byte once.";
                return null;
            }
        }

        refusal = ByteRangeRefusal.None;
        return ranges;
    }
}

/// <summary>Why a range list was refused (the HTTP status follows from it).</summary>
public enum ByteRangeRefusal
{
    None,
    Malformed,
    TooLarge,
    OutOfRange,
}
