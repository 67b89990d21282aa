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
    private readonly ChunkSigner _chunks;
    private readonly IncrementalHash _whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public ChunkIndexBuilder(ChunkParameters parameters)
    {
        _chunks = new ChunkSigner(parameters);
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
        _chunks.Append(data);
    }

    /// <summary>Ends the last chunk and returns the index; the builder is spent afterwards.</summary>
    public ChunkIndex Complete()
    {
        Span<byte> whole = stackalloc byte[ChunkHash.Size];
        _whole.GetHashAndReset(whole);
        return _chunks.ToIndex(BlobDigest.FromHash(whole));
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

    public void Dispose()
    {
        _whole.Dispose();
        _chunks.Dispose();
    }
}
