using System.Security.Cryptography;
using Aar.Protocol.Registry;

namespace Aar.Protocol.Chunking;

/// <summary>One content-defined chunk of a span of bytes: its length and SHA-256.</summary>
public readonly record struct ChunkSignature(int Length, ChunkHash Hash);

/// <summary>
/// Cuts bytes fed in pieces of any size into content-defined chunks and hashes each one, without a whole-content hash:
/// the chunk list of a blob (inside <see cref="ChunkIndexBuilder"/>) or of one range of it (the fine signatures of a
/// delta). <see cref="End"/> closes the last chunk and starts over, so one signer serves range after range.
/// </summary>
public sealed class ChunkSigner : IDisposable
{
    private readonly ContentChunker _chunker;
    private readonly IncrementalHash _chunk = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<ChunkSignature> _chunks = [];
    private long _current;

    public ChunkSigner(ChunkParameters parameters)
    {
        _chunker = new ContentChunker(parameters);
    }

    public ChunkParameters Parameters => _chunker.Parameters;

    /// <summary>The chunks ended so far, in order.</summary>
    public IReadOnlyList<ChunkSignature> Chunks => _chunks;

    public void Append(ReadOnlySpan<byte> data)
    {
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

    /// <summary>Ends the current chunk (if it holds a byte); the next byte appended starts a new content, as at the start.</summary>
    public void End()
    {
        if (_current > 0)
        {
            EndChunk();
        }

        _chunker.Reset();
    }

    /// <summary>
    /// Ends the last chunk and returns every chunk as the index of the blob they make up, whose SHA-256 the caller has
    /// verified to be <paramref name="digest"/> over exactly the bytes appended (an index computed elsewhere, e.g. while
    /// an upload was assembled). The signer is spent afterwards.
    /// </summary>
    public ChunkIndex ToIndex(BlobDigest digest)
    {
        End();
        var lengths = new int[_chunks.Count];
        var hashes = new ChunkHash[_chunks.Count];
        for (var i = 0; i < _chunks.Count; i++)
        {
            (lengths[i], hashes[i]) = (_chunks[i].Length, _chunks[i].Hash);
        }

        return new ChunkIndex(Parameters, digest, lengths, hashes);
    }

    /// <summary>Forgets the chunks ended so far (after the caller took them).</summary>
    public void Clear() => _chunks.Clear();

    /// <summary>The chunks of <paramref name="content"/> as a whole, with <paramref name="parameters"/>.</summary>
    public static ChunkSignature[] Of(ReadOnlySpan<byte> content, ChunkParameters parameters)
    {
        using var signer = new ChunkSigner(parameters);
        signer.Append(content);
        signer.End();
        return [.. signer._chunks];
    }

    private void EndChunk()
    {
        Span<byte> hash = stackalloc byte[ChunkHash.Size];
        _chunk.GetHashAndReset(hash);
        _chunks.Add(new ChunkSignature(checked((int)_current), ChunkHash.Read(hash)));
        _current = 0;
    }

    public void Dispose() => _chunk.Dispose();
}
