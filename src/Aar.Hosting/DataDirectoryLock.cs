using Aar.IO;

namespace Aar.Hosting;

/// <summary>
/// A daemon's data directory, held: created on first start, locked for the lifetime of the process so two daemons
/// never share one database, socket or store, and given its documented modes at every start. Each daemon names its
/// own files on top of it (its <c>DataDirectory</c>).
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The admin/local API socket, in every daemon's data directory.</summary>
    public const string SocketFileName = "unix.socket";

    private readonly FileStream _lock;

    private DataDirectoryLock(string root, FileStream lockFile)
    {
        Root = root;
        _lock = lockFile;
    }

    public string Root { get; }

    public string SocketPath => Path.Combine(Root, SocketFileName);

    /// <summary>
    /// Creates <paramref name="path"/> and <paramref name="subdirectories"/> (0750) if needed, takes
    /// <c>&lt;daemon&gt;.lock</c>, then calls <paramref name="enforceModes"/> with the full root path; throws
    /// <see cref="StartupException"/> with one sentence when any step cannot be done.
    /// </summary>
    /// <param name="path">The directory (<c>--data-dir</c>), relative or absolute.</param>
    /// <param name="daemon">The executable's name (<c>aar</c>, <c>ams</c>): names the lock file and the messages.</param>
    /// <param name="subdirectories">Relative paths created with the directory (0750), parents first.</param>
    /// <param name="enforceModes">Sets the documented modes on what exists (given the full root path).</param>
    public static DataDirectoryLock Open(string path, string daemon, IEnumerable<string> subdirectories, Action<string> enforceModes)
    {
        var root = Path.GetFullPath(path);
        try
        {
            DurableDirectory.Create(root, FileModes.Directory);
            foreach (var sub in subdirectories)
            {
                DurableDirectory.Create(Path.Combine(root, sub), FileModes.Directory);
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new StartupException($"Cannot create the data directory {root} ({ex.Message}); create it yourself or choose another with --data-dir.", ex);
        }

        FileStream lockFile;
        var lockPath = Path.Combine(root, $"{daemon}.lock");
        try
        {
            // FileShare.None takes an flock on Linux: released by the kernel even after kill -9.
            lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StartupException($"The data directory {root} is not writable by this user ({ex.Message}); fix its ownership or run as its owner.", ex);
        }
        catch (IOException ex)
        {
            throw new StartupException($"Another '{daemon} serve' is already using the data directory {root}; stop it first or choose another directory with --data-dir.", ex);
        }

        try
        {
            enforceModes(root);
        }
        catch (UnauthorizedAccessException ex)
        {
            lockFile.Dispose();
            throw new StartupException($"Cannot set the documented modes in the data directory {root} ({ex.Message}); a file there belongs to another user: fix its ownership.", ex);
        }

        return new DataDirectoryLock(root, lockFile);
    }

    public void Dispose() => _lock.Dispose();
}
