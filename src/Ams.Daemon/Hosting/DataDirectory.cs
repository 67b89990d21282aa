using Aar.Protocol.IO;

namespace Ams.Daemon.Hosting;

/// <summary>
/// The daemon's data directory: created on first start, locked for the lifetime of the process so two daemons
/// never share one database, socket or package store, and given its documented modes at every start (directories
/// 0750, the registry client key 0600).
/// </summary>
public sealed class DataDirectory : IDisposable
{
    public const string SocketFileName = "unix.socket";

    private const UnixFileMode DirectoryMode = FileModes.Directory;

    private static readonly string[] Subdirectories = ["registry", "packages", Path.Combine("packages", "sha256"), Path.Combine("packages", "staging")];

    private readonly FileStream _lock;

    private DataDirectory(string root, FileStream lockFile)
    {
        Root = root;
        _lock = lockFile;
    }

    public string Root { get; }

    public string SocketPath => Path.Combine(Root, SocketFileName);

    public string DatabasePath => Path.Combine(Root, "ams.db");

    public string RegistryDirectory => Path.Combine(Root, "registry");

    public string ClientCertificatePath => Path.Combine(RegistryDirectory, "client.crt");

    public string ClientKeyPath => Path.Combine(RegistryDirectory, "client.key");

    /// <summary>Content-addressed packages: <c>packages/sha256/&lt;hex&gt;</c>.</summary>
    public string PackagesDirectory => Path.Combine(Root, "packages", "sha256");

    /// <summary>Uploads in progress; same file system as <see cref="PackagesDirectory"/> so the final move is atomic.</summary>
    public string StagingDirectory => Path.Combine(Root, "packages", "staging");

    /// <summary>Creates (if needed) and locks the directory; throws <see cref="StartupException"/> when it cannot.</summary>
    public static DataDirectory Open(string path)
    {
        var root = Path.GetFullPath(path);
        try
        {
            DurableDirectory.Create(root, DirectoryMode);
            foreach (var sub in Subdirectories)
            {
                DurableDirectory.Create(Path.Combine(root, sub), DirectoryMode);
            }

            FileModes.Enforce(root, DirectoryMode);
            foreach (var sub in Subdirectories)
            {
                FileModes.Enforce(Path.Combine(root, sub), DirectoryMode);
            }

            FileModes.Enforce(Path.Combine(root, "registry", "client.key"), FileModes.PrivateKey);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new StartupException($"Cannot create the data directory {root} ({ex.Message}); create it yourself or choose another with --data-dir.", ex);
        }

        var lockPath = Path.Combine(root, "ams.lock");
        try
        {
            // FileShare.None takes an flock on Linux: released by the kernel even after kill -9.
            return new DataDirectory(root, new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StartupException($"The data directory {root} is not writable by this user ({ex.Message}); fix its ownership or run as its owner.", ex);
        }
        catch (IOException ex)
        {
            throw new StartupException($"Another 'ams serve' is already using the data directory {root}; stop it first or choose another directory with --data-dir.", ex);
        }
    }

    public void Dispose() => _lock.Dispose();
}
