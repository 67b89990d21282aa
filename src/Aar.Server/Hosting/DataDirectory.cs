using Aar.Protocol.IO;

namespace Aar.Server.Hosting;

/// <summary>
/// The server's data directory: created on first start, checked for writability, locked for the lifetime of the
/// process so two servers never share one database, socket or blob store, and given its documented modes at every
/// start (directories 0750, the server key 0600).
/// </summary>
public sealed class DataDirectory : IDisposable
{
    public const string SocketFileName = "unix.socket";

    private readonly FileStream _lock;

    private DataDirectory(string root, FileStream lockFile)
    {
        Root = root;
        _lock = lockFile;
    }

    public string Root { get; }

    public string CertificatesDirectory => Path.Combine(Root, "certs");

    public string ServerCertificatePath => Path.Combine(CertificatesDirectory, "server.crt");

    public string ServerKeyPath => Path.Combine(CertificatesDirectory, "server.key");

    public string SocketPath => Path.Combine(Root, SocketFileName);

    public string DatabasePath => Path.Combine(Root, "aar.db");

    /// <summary>Content-addressed blobs (<c>blobs/sha256/ab/abcd…</c>) and their temporary files (<c>blobs/.tmp</c>).</summary>
    public string BlobsDirectory => Path.Combine(Root, "blobs");

    /// <summary>Blobs a scrub found damaged (<c>quarantine/&lt;hex&gt;.&lt;unix-ms&gt;</c>), kept for inspection; never served.</summary>
    public string QuarantineDirectory => Path.Combine(Root, "quarantine");

    /// <summary>Partial data of upload sessions; on the same file system as the blobs, so finishing is a rename.</summary>
    public string UploadsDirectory => Path.Combine(Root, "uploads");

    /// <summary>Creates (if needed), checks and locks the directory; throws <see cref="StartupException"/> when it cannot.</summary>
    public static DataDirectory Open(string path)
    {
        var root = Path.GetFullPath(path);
        try
        {
            DurableDirectory.Create(root, DirectoryMode);
            DurableDirectory.Create(Path.Combine(root, "certs"), DirectoryMode);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new StartupException($"Cannot create the data directory {root} ({ex.Message}); create it yourself or choose another with --data-dir.", ex);
        }

        FileStream lockFile;
        var lockPath = Path.Combine(root, "aar.lock");
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
            throw new StartupException($"Another 'aar serve' is already using the data directory {root}; stop it first or choose another directory with --data-dir.", ex);
        }

        try
        {
            EnforceModes(root);
        }
        catch (UnauthorizedAccessException ex)
        {
            lockFile.Dispose();
            throw new StartupException($"Cannot set the documented modes in the data directory {root} ({ex.Message}); a file there belongs to another user: fix its ownership.", ex);
        }

        return new DataDirectory(root, lockFile);
    }

    /// <summary>Directories 0750 (including blob shards) and the server key 0600, whatever they were.</summary>
    private static void EnforceModes(string root)
    {
        FileModes.Enforce(root, DirectoryMode);
        foreach (var directory in new[] { "certs", "blobs", Path.Combine("blobs", "sha256"), Path.Combine("blobs", ".tmp"), "uploads", "quarantine" })
        {
            FileModes.Enforce(Path.Combine(root, directory), DirectoryMode);
        }

        var shards = Path.Combine(root, "blobs", "sha256");
        if (Directory.Exists(shards))
        {
            foreach (var shard in Directory.EnumerateDirectories(shards))
            {
                FileModes.Enforce(shard, DirectoryMode);
            }
        }

        FileModes.Enforce(Path.Combine(root, "certs", "server.key"), FileModes.PrivateKey);
    }

    private const UnixFileMode DirectoryMode = FileModes.Directory;

    public void Dispose() => _lock.Dispose();
}
