namespace Aar.Protocol.Http;

/// <summary>
/// Reads a response body with two guards against a hostile or broken peer: each read must bring bytes within
/// <c>idleTimeout</c> (otherwise <see cref="IdleTimeoutException"/>), and the body may not exceed <c>maxBytes</c>
/// (otherwise <see cref="ResponseTooLargeException"/> as soon as the first byte past it arrives, not at the end).
/// </summary>
public sealed class GuardedReadStream(Stream inner, string what, long maxBytes, TimeSpan idleTimeout) : Stream
{
    private long _read;
    private CancellationTokenSource? _idle;
    private CancellationToken _idleFor;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // One byte more than the limit is asked for, so that an oversized body is recognised at the limit.
        if (maxBytes - _read < buffer.Length)
        {
            buffer = buffer[..(int)(maxBytes - _read + 1)];
        }

        // One timer per stream, re-armed for each read and parked between reads: a download makes one read per TLS
        // record (16 KiB), and a new linked source with its own timer for each would cost an allocation and a timer
        // registration per record.
        if (_idle is null || _idleFor != cancellationToken)
        {
            _idle?.Dispose();
            _idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _idleFor = cancellationToken;
        }

        int read;
        _idle.CancelAfter(idleTimeout);
        try
        {
            read = await inner.ReadAsync(buffer, _idle.Token);
        }
        catch (OperationCanceledException) when (_idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IdleTimeoutException(what, idleTimeout);
        }

        _idle.CancelAfter(Timeout.InfiniteTimeSpan);
        _read += read;
        return _read > maxBytes ? throw new ResponseTooLargeException(what, maxBytes) : read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _idle?.Dispose();
        }

        base.Dispose(disposing);
    }
}
