using Aar.Server.Problems;
using Aar.Server.Storage;

namespace Aar.Server.Uploads;

/// <summary>A range of a stored blob, checked to lie inside it, that a delta upload copies into a session.</summary>
internal sealed record StoredRange(BlobContent Blob, long Offset, long Length);

/// <summary>
/// The bytes of several stored ranges, one after the other, as one read-only stream: the body of a copy "chunk", so
/// the session writes, hashes and checkpoints them exactly as sent bytes (one fsync and one offset record per
/// checkpoint, not per range). Each range is opened only when reading reaches it.
/// </summary>
internal sealed class StoredRanges(IReadOnlyList<StoredRange> ranges, CancellationToken cancellationToken) : Stream
{
    private int _next;
    private Stream? _current;
    private long _left;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken token = default)
    {
        while (true)
        {
            if (_current is null)
            {
                if (_next == ranges.Count)
                {
                    return 0;
                }

                var range = ranges[_next++];
                _left = range.Length;
                // The store's own token: a client leaving ends the copy at the next read, not mid-open.
                _current = await range.Blob.OpenAsync(range.Offset, range.Length, cancellationToken);
            }

            if (_left == 0)
            {
                await _current.DisposeAsync();
                _current = null;
                continue;
            }

            var read = await _current.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], token);
            if (read == 0)
            {
                // A stored blob shorter than its recorded size: the store is damaged, not the client.
                throw new StorageUnavailableException($"Blob {ranges[_next - 1].Blob.Digest} ended {_left} bytes early while copying it into an upload.");
            }

            _left -= read;
            return read;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
        }

        base.Dispose(disposing);
    }
}
