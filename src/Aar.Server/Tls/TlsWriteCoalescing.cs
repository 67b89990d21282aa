using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Aar.Server.Tls;

/// <summary>
/// Makes Kestrel hand the TLS layer 64 KiB writes instead of 4 KiB ones. Kestrel's HTTPS adapter writes each
/// buffered segment of its output pipe to <c>SslStream</c> separately, and Kestrel asks that pipe for 4 KiB pool
/// blocks, so a download went out as 4 KiB TLS records (nginx sends 16 KiB): four times the records, tags and writes.
/// Placed after <c>UseHttps</c>, this middleware wraps the TLS output so every <c>GetMemory</c>/<c>GetSpan</c> asks for
/// at least 64 KiB; the adapter then rents one contiguous 64 KiB buffer, Kestrel writes straight into it, and it goes
/// out as four full 16 KiB records. No extra copy, task or buffer.
/// </summary>
internal static class TlsWriteCoalescing
{
    private const int MinimumSegment = 64 * 1024;

    public static ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var tls = connection.Transport;
        connection.Transport = new DuplexPipe(tls.Input, new LargeSegmentWriter(tls.Output));
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = tls;
        }
    };

    /// <summary>Forwards everything to the TLS writer, raising every size hint to <see cref="MinimumSegment"/>.</summary>
    private sealed class LargeSegmentWriter(PipeWriter inner) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(Math.Max(sizeHint, MinimumSegment));

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(Math.Max(sizeHint, MinimumSegment));

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
