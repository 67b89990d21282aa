namespace Aar.Protocol.Http;

/// <summary>
/// A request body that tells its <see cref="WriteWatchdog"/> each time bytes move and when the last one is out; the
/// inner content (its headers, its length) is sent unchanged, in slices of at most <see cref="SliceBytes"/> so a
/// large write on a slow link still shows progress.
/// </summary>
internal sealed class WatchedContent : HttpContent
{
    /// <summary>256 KiB: 2.6 s at 100 kB/s, well inside any idle timeout; TLS cuts it into 16 KiB records anyway.</summary>
    public const int SliceBytes = 256 * 1024;

    private readonly HttpContent _inner;
    private readonly WriteWatchdog _watchdog;

    public WatchedContent(HttpContent inner, WriteWatchdog watchdog)
    {
        _inner = inner;
        _watchdog = watchdog;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        await _inner.CopyToAsync(new WatchedStream(stream, _watchdog), context, cancellationToken);
        _watchdog.Sent();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The connection's stream, written in slices, each reported to the watchdog once it was taken.</summary>
    private sealed class WatchedStream(Stream inner, WriteWatchdog watchdog) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!buffer.IsEmpty)
            {
                var slice = buffer[..Math.Min(SliceBytes, buffer.Length)];
                await inner.WriteAsync(slice, cancellationToken);
                watchdog.Moved();
                buffer = buffer[slice.Length..];
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await inner.FlushAsync(cancellationToken);
            watchdog.Moved();
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
