using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Aar.Server.Tls;

/// <summary>
/// Hands the TLS layer 64 KiB writes instead of Kestrel's 4 KiB pool segments. Kestrel's HTTPS adapter writes each
/// output segment to <c>SslStream</c> separately, so a download went out as 4 KiB TLS records (nginx sends 16 KiB):
/// four times the records, tags and writes. Placed after <c>UseHttps</c>, this middleware interposes a pipe whose pump
/// copies into <c>GetMemory(64 KiB)</c> blocks of the TLS output, which then become full 16 KiB records.
/// </summary>
internal static class TlsWriteCoalescing
{
    private const int WriteSize = 64 * 1024;

    /// <remarks>
    /// The pipe pauses at 128 KiB per connection: with 1 MiB, sixteen concurrent downloads took the server's peak RSS
    /// from 134 to ~200 MB; at 128 KiB the peak stayed at ~129 MB with the same throughput (docs/benchmarks.md).
    /// </remarks>
    public static ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        var tls = connection.Transport;
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 128 * 1024, resumeWriterThreshold: 64 * 1024, useSynchronizationContext: false));
        var pump = PumpAsync(pipe.Reader, tls.Output);
        connection.Transport = new DuplexPipe(tls.Input, pipe.Writer);
        try
        {
            await next(connection);
        }
        finally
        {
            await pipe.Writer.CompleteAsync();
            await pump;
            connection.Transport = tls;
        }
    };

    private static async Task PumpAsync(PipeReader reader, PipeWriter tls)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                while (buffer.Length > 0)
                {
                    var size = (int)Math.Min(buffer.Length, WriteSize);
                    var memory = tls.GetMemory(size);
                    buffer.Slice(0, size).CopyTo(memory.Span);
                    tls.Advance(size);
                    buffer = buffer.Slice(size);
                }

                reader.AdvanceTo(result.Buffer.End);
                var flush = await tls.FlushAsync();
                if (result.IsCompleted || result.IsCanceled || flush.IsCompleted)
                {
                    break;
                }
            }

            await reader.CompleteAsync();
        }
        catch (Exception ex)
        {
            // The connection broke (reset, aborted): let the HTTP layer's writes fail the same way.
            await reader.CompleteAsync(ex);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
