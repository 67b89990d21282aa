namespace Aar.Protocol.Registry;

/// <summary>
/// Some segments of a seekable stream, one after the other, as one read-only seekable stream: the pieces of a delta
/// upload that must be sent, uploaded together as one blob (<see cref="RegistryClient.UploadDeltaAsync"/>). Reads
/// go straight to the source at the mapped offset; nothing is copied or held.
/// </summary>
internal sealed class StreamSegments : Stream
{
    private readonly Stream _source;
    private readonly long[] _sourceStarts;
    private readonly long[] _starts;
    private long _position;

    /// <param name="source">Seekable; not disposed with this stream.</param>
    /// <param name="segments">Start (in <paramref name="source"/>) and length of each piece, in the order they follow each other.</param>
    public StreamSegments(Stream source, IReadOnlyList<(long Start, long Length)> segments)
    {
        _source = source;
        _sourceStarts = new long[segments.Count];
        _starts = new long[segments.Count + 1];
        for (var i = 0; i < segments.Count; i++)
        {
            _sourceStarts[i] = segments[i].Start;
            _starts[i + 1] = _starts[i] + segments[i].Length;
        }
    }

    /// <summary>Where segment <paramref name="index"/> starts in this stream.</summary>
    public long StartOf(int index) => _starts[index];

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _starts[^1];

    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!Locate(buffer.Length, out var at, out var count))
        {
            return 0;
        }

        _source.Position = at;
        var read = _source.Read(buffer[..count]);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Locate(buffer.Length, out var at, out var count))
        {
            return 0;
        }

        _source.Position = at;
        var read = await _source.ReadAsync(buffer[..count], cancellationToken);
        _position += read;
        return read;
    }

    /// <summary>The source offset of the current position and how much can be read there without crossing a segment.</summary>
    private bool Locate(int wanted, out long at, out int count)
    {
        (at, count) = (0, 0);
        if (wanted == 0 || _position >= Length)
        {
            return false;
        }

        var index = Array.BinarySearch(_starts, _position);
        index = index >= 0 ? index : ~index - 1;
        // Zero-length segments share a start with the next one: move to the one that holds the position.
        while (_starts[index + 1] <= _position)
        {
            index++;
        }

        at = _sourceStarts[index] + (_position - _starts[index]);
        count = (int)Math.Min(wanted, _starts[index + 1] - _position);
        return true;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
