using Aar.Protocol.Registry;

namespace Aar.Protocol.Chunking;

/// <summary>
/// The content-defined chunks of one blob: per chunk its length and SHA-256 (offsets follow from the lengths), the
/// blob's total length and whole SHA-256, and the parameters it was chunked with. Immutable; made by
/// <see cref="ChunkIndexBuilder"/> or <see cref="ChunkIndexWire.Parse"/>, which check that the lengths add up.
/// </summary>
public sealed class ChunkIndex
{
    private readonly int[] _lengths;
    private readonly long[] _offsets;
    private readonly ChunkHash[] _hashes;

    internal ChunkIndex(ChunkParameters parameters, BlobDigest digest, int[] lengths, ChunkHash[] hashes)
    {
        Parameters = parameters;
        Digest = digest;
        _lengths = lengths;
        _hashes = hashes;
        _offsets = new long[lengths.Length];
        long offset = 0;
        for (var i = 0; i < lengths.Length; i++)
        {
            _offsets[i] = offset;
            offset += lengths[i];
        }

        Length = offset;
    }

    public ChunkParameters Parameters { get; }

    /// <summary>The whole blob's SHA-256.</summary>
    public BlobDigest Digest { get; }

    /// <summary>The blob's length in bytes (the sum of the chunk lengths).</summary>
    public long Length { get; }

    public int Count => _lengths.Length;

    public int LengthOf(int chunk) => _lengths[chunk];

    public long OffsetOf(int chunk) => _offsets[chunk];

    public ChunkHash HashOf(int chunk) => _hashes[chunk];

    /// <summary>The chunks, in order.</summary>
    public IEnumerable<ChunkEntry> Chunks()
    {
        for (var i = 0; i < _lengths.Length; i++)
        {
            yield return new ChunkEntry(i, _offsets[i], _lengths[i], _hashes[i]);
        }
    }
}

/// <summary>One chunk of a <see cref="ChunkIndex"/>: its number, where it starts, how long it is, its SHA-256.</summary>
public readonly record struct ChunkEntry(int Number, long Offset, int Length, ChunkHash Hash);
