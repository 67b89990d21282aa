using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Aar.IO;

/// <summary>
/// Stores a stream in a file batch by batch, hashing exactly the bytes written, with the work spread over three
/// cores instead of one: while the caller reads batch n+1 from the network (TLS decryption), batch n is hashed and
/// written on the thread pool, the hash and the write side by side, and the written bytes are sent on to the disk
/// every few MiB (<see cref="Writeback"/>) so that the final fsync is short. On the end-to-end benchmark the
/// receiving side was one thread doing decrypt → hash → write in turn, the slowest stage of every transfer.
/// </summary>
/// <remarks>
/// Use: fill <see cref="Buffer"/>, hand it over with <see cref="SubmitAsync"/> (which returns once the previous batch
/// is stored, then swaps buffers), and call <see cref="CompleteAsync"/> before relying on the file or the hash. A
/// failed hash or write surfaces from the next <see cref="SubmitAsync"/> or <see cref="CompleteAsync"/>. Not
/// thread-safe: one caller at a time. Memory: two pooled buffers of <see cref="FileWrites.BatchSize"/>.
/// </remarks>
public sealed class PipelinedFileWriter : IAsyncDisposable
{
    private readonly SafeFileHandle _file;
    private readonly Action<ReadOnlySpan<byte>> _hash;
    private byte[] _filling = ArrayPool<byte>.Shared.Rent(FileWrites.BatchSize);
    private byte[] _storing = ArrayPool<byte>.Shared.Rent(FileWrites.BatchSize);
    private Task _pending = Task.CompletedTask;
    private long _submitted;
    private readonly Writeback _writeback;
    private bool _disposed;

    /// <param name="file">The file, open for writing; not owned.</param>
    /// <param name="offset">Where the first batch goes.</param>
    /// <param name="hash">Called with every batch, in order, never concurrently with itself.</param>
    /// <param name="dropBehind">Drop what is on the disk from the page cache as the file grows (see <see cref="Writeback"/>).</param>
    public PipelinedFileWriter(SafeFileHandle file, long offset, Action<ReadOnlySpan<byte>> hash, bool dropBehind = true)
    {
        _file = file;
        _hash = hash;
        _submitted = offset;
        _writeback = new Writeback(file, offset, dropBehind);
    }

    /// <summary>The buffer to fill next (<see cref="FileWrites.BatchSize"/> bytes).</summary>
    public Memory<byte> Buffer => _filling.AsMemory(0, FileWrites.BatchSize);

    /// <summary>The file offset after every submitted batch (stored or not yet).</summary>
    public long SubmittedOffset => _submitted;

    /// <summary>Waits until the previous batch is hashed and written, then starts storing the first <paramref name="count"/> bytes of <see cref="Buffer"/>.</summary>
    public async Task SubmitAsync(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, FileWrites.BatchSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _pending;
        if (count == 0)
        {
            return;
        }

        (_filling, _storing) = (_storing, _filling);
        var batch = _storing;
        var at = _submitted;
        _submitted += count;
        var hashing = Task.Run(() => _hash(batch.AsSpan(0, count)));
        var writing = Task.Run(() =>
        {
            RandomAccess.Write(_file, batch.AsSpan(0, count), at);
            // In file order: each batch's write starts only after the previous one finished.
            _writeback.Written(at + count);
        });
        _pending = Task.WhenAll(hashing, writing);
    }

    /// <summary>Waits until every submitted batch is hashed and written; throws what storing one of them threw.</summary>
    public Task CompleteAsync() => _pending;

    /// <summary>Waits for the batch in flight (its error ignored: the caller has seen it or is already failing) and returns the buffers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _pending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ArrayPool<byte>.Shared.Return(_filling);
        ArrayPool<byte>.Shared.Return(_storing);
    }
}
