using System.Runtime.InteropServices;

namespace Aar.Server.Storage;

/// <summary>
/// Makes a rename durable: after <c>rename(2)</c> the new directory entry survives a power cut only once the
/// directory itself is fsynced (distribution learnt this in v3.1, commits a5a6f1b/b4f2af3; peers.md §2.2).
/// .NET cannot open a directory as a file, hence the two libc calls.
/// </summary>
internal static partial class DurableFiles
{
    // O_RDONLY opens a directory on Linux; O_DIRECTORY would only add a check, and its value differs per CPU.
    private const int ReadOnly = 0;

    public static void FlushDirectory(string path)
    {
        var fd = Open(path, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {path} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot flush directory {path} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
