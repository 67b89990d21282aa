using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Aar.Protocol.IO;

/// <summary>
/// Starts writing a range of a file to disk without waiting for it (Linux <c>sync_file_range</c> with
/// <c>SYNC_FILE_RANGE_WRITE</c>), so that the fsync that makes a package or a blob durable at the end finds little
/// left to write. Without it the kernel writes nothing back until 10 % of the memory is dirty (2.4 GB on a 24 GB
/// machine), and every fsync of a 1 GiB file waited for the whole GiB to reach the disk (about 1 s). The same idea
/// as PostgreSQL's <c>backend_flush_after</c> and RocksDB's <c>bytes_per_sync</c>. A hint only: where the call is
/// missing or fails, nothing changes but the fsync's duration.
/// </summary>
internal static partial class Writeback
{
    private const uint SyncFileRangeWrite = 2;

    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (_unavailable || length <= 0)
        {
            return;
        }

        try
        {
            var added = false;
            file.DangerousAddRef(ref added);
            try
            {
                _ = SyncFileRange((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite);
            }
            finally
            {
                if (added)
                {
                    file.DangerousRelease();
                }
            }
        }
        catch (EntryPointNotFoundException)
        {
            _unavailable = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);
}
