namespace Aar.Protocol.Http;

/// <summary>
/// Reads a response body with two guards against a hostile or broken peer: each read must bring bytes within
/// <c>idleTimeout</c> (otherwise <see cref="IdleTimeoutException"/>), and the body may not exceed <c>maxBytes</c>
/// (otherwise <see cref="ResponseTooLargeException"/> as soon as the first byte past it arrives, not at the end).
/// </summary>
public sealed class GuardedReadStream(Stream inner, string what, long maxBytes, TimeSpan idleTimeout) : Stream
{
    private long _read;

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

        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(idleTimeout);
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, idle.Token);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IdleTimeoutException(what, idleTimeout);
        }

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
        }

        base.Dispose(disposing);
    }
}
