using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Aar.Server.Metrics;

/// <summary>
/// Bytes of HTTP received and sent on the mTLS port (inside TLS: what the requests and responses carried, headers
/// included). Counted where Kestrel hands bytes to and takes them from the TLS layer, so chunked bodies, aborted
/// uploads and sendfile downloads all count exactly. Built before the service provider (Kestrel's connection pipeline
/// is configured first) and registered as an instance.
/// </summary>
internal sealed class TransportBytes
{
    private long _received;
    private long _sent;

    public long Received => Interlocked.Read(ref _received);

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Connection middleware for the TLS listener, placed after <c>UseHttps</c>.</summary>
    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new CountingPipe(new CountingReader(transport.Input, this), new CountingWriter(transport.Output, this));
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    };

    private sealed class CountingPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Counts what the reader consumed: bytes examined but left for later are counted once, when consumed.</summary>
    private sealed class CountingReader(PipeReader inner, TransportBytes totals) : PipeReader
    {
        private ReadOnlySequence<byte> _last;

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var pending = inner.ReadAsync(cancellationToken);
            if (pending.IsCompletedSuccessfully)
            {
                var result = pending.Result;
                _last = result.Buffer;
                return new ValueTask<ReadResult>(result);
            }

            return AwaitReadAsync(pending);
        }

        private async ValueTask<ReadResult> AwaitReadAsync(ValueTask<ReadResult> pending)
        {
            var result = await pending;
            _last = result.Buffer;
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            _last = result.Buffer;
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed)
        {
            Count(consumed);
            inner.AdvanceTo(consumed);
        }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            Count(consumed);
            inner.AdvanceTo(consumed, examined);
        }

        private void Count(SequencePosition consumed)
        {
            if (!_last.IsEmpty)
            {
                Interlocked.Add(ref totals._received, _last.Slice(_last.Start, consumed).Length);
            }

            _last = default;
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    /// <summary>Counts every advanced byte; size hints pass through untouched (TLS record coalescing relies on them).</summary>
    private sealed class CountingWriter(PipeWriter inner, TransportBytes totals) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            Interlocked.Add(ref totals._sent, bytes);
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
