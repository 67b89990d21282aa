namespace Aar.Protocol.Http;

/// <summary>
/// Bounds a write request by progress, not by a total time, so a slow uplink is never cut while bytes move and a peer
/// that stalls costs a known bound: the request is cancelled when its body takes no byte for the idle timeout (the
/// peer stopped reading), and, once the whole body is out, when the answer's headers do not come within the idle
/// timeout plus an allowance for the work the request asks of the peer's store (<c>workBytes</c> at
/// <see cref="SlowestStoreBytesPerSecond"/>). Kernel buffers hold a few MiB that are "sent" but not yet read; the
/// idle timeout (60 s by default) is what covers draining them on a slow link.
/// </summary>
internal sealed class WriteWatchdog : IDisposable
{
    /// <summary>
    /// The slowest store the answer's allowance assumes. The registry answers a finishing PUT after its store took the
    /// blob (on S3, for a session started without its digest, a server-side copy: 1–3 s per GiB measured on radosgw)
    /// and a copy request after writing its ranges; 16 MiB/s leaves a 5 GiB blob 320 s, several times what a healthy
    /// store needs.
    /// </summary>
    public const long SlowestStoreBytesPerSecond = 16L * 1024 * 1024;

    private readonly CancellationTokenSource _cancel;
    private readonly CancellationToken _caller;
    private int _finished;

    public WriteWatchdog(TimeSpan idle, long workBytes, bool hasBody, CancellationToken caller)
    {
        Idle = idle;
        AnswerWithin = idle + TimeSpan.FromSeconds(Math.Max(0, workBytes) / (double)SlowestStoreBytesPerSecond);
        BodySent = !hasBody;
        _caller = caller;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _cancel.CancelAfter(hasBody ? idle : AnswerWithin);
    }

    public TimeSpan Idle { get; }

    /// <summary>How long the answer's headers may take once the body is out.</summary>
    public TimeSpan AnswerWithin { get; }

    /// <summary>True once the last byte of the body was handed to the connection (at once for a request without one).</summary>
    public bool BodySent { get; private set; }

    public CancellationToken Token => _cancel.Token;

    /// <summary>True when this watchdog, not the caller, cancelled the request.</summary>
    public bool Fired => _cancel.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>Bytes of the body moved: the idle clock starts again.</summary>
    public void Moved() => Rearm(Idle);

    /// <summary>The body is out: the answer must now come within <see cref="AnswerWithin"/>.</summary>
    public void Sent()
    {
        BodySent = true;
        Rearm(AnswerWithin);
    }

    /// <summary>The error to throw when <see cref="Fired"/>.</summary>
    public WriteStalledException Stalled(HttpRequestMessage request) =>
        new($"{request.Method} {request.RequestUri}", Idle, AnswerWithin, BodySent);

    private void Rearm(TimeSpan delay)
    {
        // The body may still be written after the answer came (an early refusal): the clock no longer matters then.
        if (Volatile.Read(ref _finished) == 0)
        {
            try
            {
                _cancel.CancelAfter(delay);
            }
            catch (ObjectDisposedException)
            {
                // Finished between the check and the call.
            }
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _finished, 1);
        _cancel.Dispose();
    }
}
