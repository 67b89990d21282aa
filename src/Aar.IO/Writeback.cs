using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Aar.IO;

/// <summary>
/// Moves a file being written sequentially on to the disk as it grows, in windows of <see cref="Window"/> bytes:
/// each full window is sent to the disk without waiting (Linux <c>sync_file_range</c>, <c>SYNC_FILE_RANGE_WRITE</c>),
/// so the fsync that makes the file durable at the end finds little left to write. Without it the kernel writes
/// nothing back until 10 % of the memory is dirty (2.4 GB on a 24 GB machine), and the fsync of a 1 GiB file waited
/// for the whole GiB (PostgreSQL's <c>backend_flush_after</c> and RocksDB's <c>bytes_per_sync</c> do the same).
/// </summary>
/// <remarks>
/// With <c>dropBehind</c>, the window before is then waited for and dropped from the page cache
/// (<c>POSIX_FADV_DONTNEED</c>): a package or blob written once and read later does not push other files out of
/// the cache, and its pages are recycled for the next window at once. On the benchmark VM (free page reporting
/// returns freed memory to the host) writing into pages never touched before cost ~2.4 CPU-s per GiB against
/// ~0.3 s into recycled ones (docs/benchmarks.md, "End to end"); MinIO writes its objects with O_DIRECT for the
/// same reasons. Hints only: where a call is missing or fails, nothing changes but speed. Not thread-safe: call
/// <see cref="Written"/> in file order from one writer at a time.
/// </remarks>
public sealed partial class Writeback(SafeFileHandle file, long start, bool dropBehind)
{
    /// <summary>Bytes per window.</summary>
    public const long Window = 8L * 1024 * 1024;

    private const uint SyncFileRangeWaitBefore = 1;
    private const uint SyncFileRangeWrite = 2;
    private const uint SyncFileRangeWaitAfter = 4;
    private const int PosixFadvDontNeed = 4;

    private static bool _unavailable = !OperatingSystem.IsLinux();

    private long _windowStart = start;
    private long _previousStart = -1;

    /// <summary>Call after bytes up to <paramref name="end"/> were written.</summary>
    public void Written(long end)
    {
        if (_unavailable || end - _windowStart < Window)
        {
            return;
        }

        WithDescriptor(file, fd =>
        {
            if (dropBehind && _previousStart >= 0)
            {
                var length = _windowStart - _previousStart;
                _ = SyncFileRange(fd, _previousStart, length, SyncFileRangeWaitBefore | SyncFileRangeWrite | SyncFileRangeWaitAfter);
                _ = PosixFadvise(fd, _previousStart, length, PosixFadvDontNeed);
            }

            _ = SyncFileRange(fd, _windowStart, end - _windowStart, SyncFileRangeWrite);
        });
        (_previousStart, _windowStart) = (_windowStart, end);
    }

    /// <summary>
    /// Drops bytes already read from the page cache (<c>POSIX_FADV_DONTNEED</c> on clean pages): for a file read once
    /// from start to end (a package being uploaded), so readahead recycles the same pages instead of taking new ones
    /// (see the remarks above). A hint: does nothing where unavailable, or for a stream that is not a file.
    /// </summary>
    public static void DropRead(Stream stream, long offset, long length)
    {
        if (stream is FileStream { SafeFileHandle: var file })
        {
            DropRead(file, offset, length);
        }
    }

    /// <summary>The same for a file read through its handle (<see cref="RandomAccess"/>).</summary>
    public static void DropRead(SafeFileHandle file, long offset, long length)
    {
        if (_unavailable || length <= 0)
        {
            return;
        }

        WithDescriptor(file, fd => _ = PosixFadvise(fd, offset, length, PosixFadvDontNeed));
    }

    /// <summary>Runs <paramref name="hint"/> on the file's descriptor, kept open meanwhile; a libc without the call turns the hints off.</summary>
    private static void WithDescriptor(SafeFileHandle file, Action<int> hint)
    {
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            hint((int)file.DangerousGetHandle());
        }
        catch (EntryPointNotFoundException)
        {
            _unavailable = true;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
