using System.Runtime.InteropServices;

namespace Aar.IO;

/// <summary>
/// Makes directory entries durable. After <c>rename(2)</c> (or <c>mkdir(2)</c>) the new entry survives a power cut
/// only once the directory that holds it is fsynced (the Docker distribution registry learnt this in v3.1, commits
/// a5a6f1b/b4f2af3). .NET cannot open a directory as a file, hence the
/// three libc calls. Linux only, like the rest of the system; elsewhere these are no-ops.
/// </summary>
public static partial class DurableDirectory
{
    // O_RDONLY opens a directory on Linux; O_DIRECTORY would only add a check, and its value differs per CPU.
    private const int ReadOnly = 0;

    /// <summary>Fsyncs <paramref name="directory"/>, so the entries renamed or created in it so far survive a crash.</summary>
    public static void Flush(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot flush directory {directory} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and any missing parents, and fsyncs the parent of each directory it created,
    /// so a file later renamed into it is not lost with a directory entry that never reached the disk. Returns whether
    /// anything was created.
    /// </summary>
    public static bool Create(string directory, UnixFileMode? mode = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory);
        if (Directory.Exists(full))
        {
            return false;
        }

        var parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            Create(parent, mode);
        }

        try
        {
            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(full, unixMode);
            }
            else
            {
                Directory.CreateDirectory(full);
            }
        }
        catch (IOException) when (Directory.Exists(full))
        {
            // Created by a concurrent caller a moment ago; its entry is flushed below either way.
        }

        if (parent is not null)
        {
            Flush(parent);
        }

        return true;
    }

    /// <summary>Renames <paramref name="source"/> to <paramref name="target"/> and fsyncs the target's directory.</summary>
    public static void Move(string source, string target, bool overwrite)
    {
        File.Move(source, target, overwrite);
        Flush(Path.GetDirectoryName(Path.GetFullPath(target))!);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
