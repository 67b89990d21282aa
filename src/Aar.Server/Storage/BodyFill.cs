namespace Aar.Server.Storage;

/// <summary>Fills a buffer from a request body, keeping what arrived before a failure (the client went away).</summary>
internal static class BodyFill
{
    /// <summary>Reads until <paramref name="buffer"/> is full, the body ends, or reading fails.</summary>
    public static async Task<(int Filled, bool Ended, Exception? Failure)> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            int read;
            try
            {
                read = await source.ReadAsync(buffer[filled..], cancellationToken);
            }
            // Kestrel's BadHttpRequestException (body shorter than Content-Length) and connection resets are IOExceptions.
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                return (filled, false, ex);
            }

            if (read == 0)
            {
                return (filled, true, null);
            }

            filled += read;
        }

        return (filled, false, null);
    }
}
