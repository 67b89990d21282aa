using System.Buffers.Binary;
using System.Security.Cryptography;
using Aar.Protocol.Registry;

namespace Aar.Protocol.Chunking;

/// <summary>
/// The binary form of a <see cref="ChunkIndex"/> (<c>application/vnd.aar.chunk-index</c>), little-endian:
/// <code>
///  0  4  magic "ACIX"          4  1  format version (1)     5  1  algorithm (<see cref="ContentChunker.Algorithm"/>)
///  6  2  zero                  8  4  min chunk size        12  4  average chunk size      16  4  max chunk size
/// 20  4  chunk count          24  8  total length          32 32  whole SHA-256
/// 64     count × (4 length + 32 SHA-256)
/// end 32 SHA-256 of every byte before it
/// </code>
/// The trailing digest makes any change to the bytes (a flipped bit, a cut) a refusal rather than a wrong index.
/// 36 bytes a chunk: about 590 KB for 1 GiB at the 64 KiB average.
/// </summary>
public static class ChunkIndexWire
{
    public const string MediaType = "application/vnd.aar.chunk-index";
    public const int HeaderSize = 64;
    public const int EntrySize = 4 + ChunkHash.Size;
    public const int TrailerSize = 32;
    private const byte FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "ACIX"u8;

    public static long SizeOf(int count) => HeaderSize + ((long)count * EntrySize) + TrailerSize;

    public static byte[] Serialize(ChunkIndex index)
    {
        var bytes = new byte[SizeOf(index.Count)];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        span[4] = FormatVersion;
        span[5] = ContentChunker.Algorithm;
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], index.Parameters.Min);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], index.Parameters.Average);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], index.Parameters.Max);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], index.Count);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], index.Length);
        Convert.FromHexString(index.Digest.Hex, span.Slice(32, 32), out _, out _);
        var entry = span[HeaderSize..];
        for (var i = 0; i < index.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(entry, index.LengthOf(i));
            index.HashOf(i).Write(entry[4..]);
            entry = entry[EntrySize..];
        }

        SHA256.HashData(span[..^TrailerSize], span[^TrailerSize..]);
        return bytes;
    }

    /// <summary>Parses a whole index; throws <see cref="ChunkIndexFormatException"/> with a sentence if it is not one.</summary>
    public static ChunkIndex Parse(ReadOnlySpan<byte> bytes, ChunkIndexLimits limits)
    {
        var header = ReadHeader(bytes, limits);
        if (bytes.Length != SizeOf(header.Count))
        {
            throw new ChunkIndexFormatException($"The chunk index is {bytes.Length} bytes, but its header announces {header.Count} chunks ({SizeOf(header.Count)} bytes).");
        }

        Span<byte> check = stackalloc byte[32];
        SHA256.HashData(bytes[..^TrailerSize], check);
        if (!check.SequenceEqual(bytes[^TrailerSize..]))
        {
            throw new ChunkIndexFormatException("The chunk index does not match its own checksum (damaged or altered).");
        }

        var lengths = new int[header.Count];
        var hashes = new ChunkHash[header.Count];
        var entries = bytes[HeaderSize..^TrailerSize];
        long sum = 0;
        for (var i = 0; i < header.Count; i++)
        {
            var entry = entries.Slice(i * EntrySize, EntrySize);
            var length = BinaryPrimitives.ReadInt32LittleEndian(entry);
            var last = i == header.Count - 1;
            if (length < 1 || length > header.Parameters.Max || (!last && length < header.Parameters.Min))
            {
                throw new ChunkIndexFormatException($"Chunk {i} of the chunk index is {length} bytes long, outside {header.Parameters.Min}..{header.Parameters.Max}.");
            }

            sum += length;
            lengths[i] = length;
            hashes[i] = ChunkHash.Read(entry[4..]);
        }

        if (sum != header.Length)
        {
            throw new ChunkIndexFormatException($"The chunk lengths of the chunk index add up to {sum} bytes, not the {header.Length} it announces.");
        }

        return new ChunkIndex(header.Parameters, header.Digest, lengths, hashes);
    }

    /// <summary>
    /// Reads an index from <paramref name="source"/>: the header first, so the limits refuse a huge count before
    /// anything is allocated for it; then exactly the announced bytes; anything after them is refused too.
    /// </summary>
    public static async Task<ChunkIndex> ReadAsync(Stream source, ChunkIndexLimits limits, CancellationToken cancellationToken = default)
    {
        var head = new byte[HeaderSize];
        await ReadExactlyAsync(source, head, cancellationToken);
        var header = ReadHeader(head, limits);
        var all = new byte[SizeOf(header.Count)];
        head.CopyTo(all, 0);
        await ReadExactlyAsync(source, all.AsMemory(HeaderSize), cancellationToken);
        if (await source.ReadAsync(new byte[1], cancellationToken) != 0)
        {
            throw new ChunkIndexFormatException($"The chunk index goes on past the {all.Length} bytes its header announces.");
        }

        return Parse(all, limits);
    }

    private static async Task ReadExactlyAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await source.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException ex)
        {
            throw new ChunkIndexFormatException("The chunk index ends early (truncated).", ex);
        }
    }

    private readonly record struct Header(ChunkParameters Parameters, int Count, long Length, BlobDigest Digest);

    private static Header ReadHeader(ReadOnlySpan<byte> bytes, ChunkIndexLimits limits)
    {
        if (bytes.Length < HeaderSize)
        {
            throw new ChunkIndexFormatException($"The chunk index is {bytes.Length} bytes, shorter than its {HeaderSize}-byte header.");
        }

        if (!bytes[..4].SequenceEqual(Magic))
        {
            throw new ChunkIndexFormatException("This is not a chunk index (it does not start with \"ACIX\").");
        }

        if (bytes[4] != FormatVersion || bytes[5] != ContentChunker.Algorithm || bytes[6] != 0 || bytes[7] != 0)
        {
            throw new ChunkIndexFormatException($"The chunk index has format {bytes[4]}, algorithm {bytes[5]}; this build reads format {FormatVersion}, algorithm {ContentChunker.Algorithm}.");
        }

        var parameters = new ChunkParameters(
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]));
        if (parameters.Problem() is { } problem)
        {
            throw new ChunkIndexFormatException($"The chunk index's parameters are refused: {problem}.");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]);
        var length = BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]);
        if (length < 0 || length > limits.MaxLength)
        {
            throw new ChunkIndexFormatException($"The chunk index describes {length} bytes; at most {limits.MaxLength} are accepted.");
        }

        // Every chunk but the last is at least Min long, so the length bounds the count as well as the limit does.
        var most = Math.Min(limits.MaxCount, length == 0 ? 0 : ((length - 1) / parameters.Min) + 1);
        if (count < 0 || count > most || (length > 0 && count == 0))
        {
            throw new ChunkIndexFormatException($"The chunk index announces {count} chunks for {length} bytes; between {(length > 0 ? 1 : 0)} and {most} are accepted.");
        }

        return new Header(parameters, count, length, BlobDigest.FromHash(bytes.Slice(32, 32)));
    }
}
