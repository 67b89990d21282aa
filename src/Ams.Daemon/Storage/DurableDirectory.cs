using System.Runtime.InteropServices;

namespace Ams.Daemon.Storage;

/// <summary>
/// Makes a rename durable: after <c>rename(2)</c> the new directory entry survives a power cut only once the
/// directory itself is fsynced; until then a version recorded as <c>ready</c> could point at a name the file system
/// forgot. .NET cannot open a directory as a file, hence the libc calls (the registry does the same for its blobs).
/// </summary>
internal static partial class DurableDirectory
{
    // O_RDONLY opens a directory on Linux; O_DIRECTORY would only add a check, and its value differs per CPU.
    private const int ReadOnly = 0;

    public static void Flush(string path)
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
