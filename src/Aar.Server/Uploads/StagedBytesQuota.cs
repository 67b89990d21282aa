namespace Aar.Server.Uploads;

/// <summary>
/// Bytes each publisher's chunks are writing on this node right now, on top of what their sessions already hold
/// (the recorded offsets in the database). Reserving the whole chunk before its first byte is read keeps concurrent
/// chunks of one publisher from passing the cap together. A chunk's checkpoints move its recorded offset while its
/// reservation is still held, so the count errs on the side of refusing, by at most the chunks in flight.
/// Chunks in flight on other nodes are not seen here: across nodes the cap can be passed by their chunks.
/// </summary>
internal sealed class StagedBytesQuota
{
    private readonly Dictionary<string, long> _inFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// Reserves <paramref name="chunk"/> bytes unless <paramref name="staged"/> + in flight + the chunk passes
    /// <paramref name="cap"/>; <paramref name="held"/> is what counted against it (staged + in flight).
    /// </summary>
    public bool TryReserve(string publisher, long staged, long chunk, long cap, out long held)
    {
        lock (_inFlight)
        {
            held = staged + _inFlight.GetValueOrDefault(publisher);
            if (chunk > cap - held)
            {
                return false;
            }

            _inFlight[publisher] = _inFlight.GetValueOrDefault(publisher) + chunk;
            return true;
        }
    }

    public void Release(string publisher, long chunk)
    {
        lock (_inFlight)
        {
            var left = _inFlight.GetValueOrDefault(publisher) - chunk;
            if (left > 0)
            {
                _inFlight[publisher] = left;
            }
            else
            {
                _inFlight.Remove(publisher);
            }
        }
    }
}
