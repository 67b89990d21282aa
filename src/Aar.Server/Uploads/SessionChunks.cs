using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;

namespace Aar.Server.Uploads;

/// <summary>
/// The chunk index of a session's bytes, computed as they are read (sessions started with <c>?index=chunks</c>: the
/// uploads by difference). Without it the new blob was read and hashed a second time after completion, and a client
/// that asked for the index at once waited for that pass: 3.5–5.6 s for 1 GiB on the benchmark VM, longer than the
/// rest of an update by difference over 1 Gbit/s. Valid only while it has seen every byte the session holds, from
/// its first: any gap (a resumed session, a chunk that failed, another node) drops it and the blob is indexed in the
/// background as any other.
/// </summary>
internal sealed class SessionChunks(ChunkParameters parameters) : IDisposable
{
    private readonly ChunkSigner _signer = new(parameters);
    private bool _overflowed;

    /// <summary>Bytes seen so far.</summary>
    public long Length { get; private set; }

    /// <summary><paramref name="body"/>, feeding every byte read from it to this index.</summary>
    public Stream Tee(Stream body) => new TeeStream(body, this);

    /// <summary>
    /// The index of the blob, once its SHA-256 is verified to be <paramref name="digest"/> over exactly
    /// <paramref name="length"/> bytes; null if this index did not see exactly those bytes or has more chunks than an
    /// index may (<see cref="ChunkIndexLimits"/>: a hostile session cannot make the registry hold more than that).
    /// </summary>
    public ChunkIndex? Finish(BlobDigest digest, long length) =>
        Length == length && !_overflowed ? _signer.ToIndex(digest) : null;

    public void Dispose() => _signer.Dispose();

    private void Append(ReadOnlySpan<byte> data)
    {
        Length += data.Length;
        if (_overflowed)
        {
            return;
        }

        _signer.Append(data);
        if (_signer.Chunks.Count > ChunkIndexLimits.Default.MaxCount)
        {
            _overflowed = true;
            _signer.Clear();
        }
    }

    /// <summary>A read-only pass-through that hands what it reads to the index, on the reader's thread.</summary>
    private sealed class TeeStream(Stream inner, SessionChunks chunks) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            chunks.Append(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            chunks.Append(buffer.AsSpan(offset, read));
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
