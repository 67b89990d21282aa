using System.Buffers;
using System.Security.Cryptography;
using Aar.Protocol.Registry;

namespace Aar.Protocol.Chunking;

/// <summary>
/// Computes a <see cref="ChunkIndex"/> and the whole SHA-256 in one streaming pass: feed the bytes as they arrive
/// (<see cref="Append"/>, pieces of any size), then <see cref="Complete"/>. Holds no more than two hash states.
/// </summary>
public sealed class ChunkIndexBuilder : IDisposable
{
    private readonly ContentChunker _chunker;
    private readonly IncrementalHash _whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _chunk = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<int> _lengths = [];
    private readonly List<ChunkHash> _hashes = [];
    private long _current;

    public ChunkIndexBuilder(ChunkParameters parameters)
    {
        _chunker = new ContentChunker(parameters);
    }

    public ChunkIndexBuilder()
        : this(ChunkParameters.Default)
    {
    }

    /// <summary>Bytes appended so far.</summary>
    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        _whole.AppendData(data);
        Length += data.Length;
        while (!data.IsEmpty)
        {
            var cut = _chunker.NextBoundary(data);
            if (cut < 0)
            {
                _chunk.AppendData(data);
                _current += data.Length;
                return;
            }

            _chunk.AppendData(data[..cut]);
            _current += cut;
            EndChunk();
            data = data[cut..];
        }
    }

    /// <summary>Ends the last chunk and returns the index; the builder is spent afterwards.</summary>
    public ChunkIndex Complete()
    {
        if (_current > 0)
        {
            EndChunk();
        }

        Span<byte> whole = stackalloc byte[ChunkHash.Size];
        _whole.GetHashAndReset(whole);
        return new ChunkIndex(_chunker.Parameters, BlobDigest.FromHash(whole), [.. _lengths], [.. _hashes]);
    }

    /// <summary>Reads <paramref name="content"/> to its end and returns its index.</summary>
    public static async Task<ChunkIndex> ComputeAsync(Stream content, ChunkParameters parameters, CancellationToken cancellationToken = default)
    {
        using var builder = new ChunkIndexBuilder(parameters);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                builder.Append(buffer.AsSpan(0, read));
            }

            return builder.Complete();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EndChunk()
    {
        Span<byte> hash = stackalloc byte[ChunkHash.Size];
        _chunk.GetHashAndReset(hash);
        _hashes.Add(ChunkHash.Read(hash));
        _lengths.Add(checked((int)_current));
        _current = 0;
    }

    public void Dispose()
    {
        _whole.Dispose();
        _chunk.Dispose();
    }
}
