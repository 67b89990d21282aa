using Aar.Hosting;
using Aar.IO;

namespace Aar.Server.Hosting;

/// <summary>
/// The server's data directory (held through the daemon kit's <see cref="DataDirectoryLock"/>): created on first
/// start, checked for writability, locked for the lifetime of the process so two servers never share one database,
/// socket or blob store, and given its documented modes at every start (directories 0750, the server and signing keys 0600).
/// </summary>
public sealed class DataDirectory : IDisposable
{
    private readonly DataDirectoryLock _held;

    private DataDirectory(DataDirectoryLock held) => _held = held;

    public string Root => _held.Root;

    public string CertificatesDirectory => Path.Combine(Root, "certs");

    public string ServerCertificatePath => Path.Combine(CertificatesDirectory, "server.crt");

    public string ServerKeyPath => Path.Combine(CertificatesDirectory, "server.key");

    /// <summary>The default signing key (<c>aar serve --signing-key</c> may name another file).</summary>
    public string SigningKeyPath => Path.Combine(CertificatesDirectory, "signing.key");

    public string SocketPath => _held.SocketPath;

    public string DatabasePath => Path.Combine(Root, "aar.db");

    /// <summary>Content-addressed blobs (<c>blobs/sha256/ab/abcd…</c>) and their temporary files (<c>blobs/.tmp</c>).</summary>
    public string BlobsDirectory => Path.Combine(Root, "blobs");

    /// <summary>Blobs a scrub found damaged (<c>quarantine/&lt;hex&gt;.&lt;unix-ms&gt;</c>), kept for inspection; never served.</summary>
    public string QuarantineDirectory => Path.Combine(Root, "quarantine");

    /// <summary>Partial data of upload sessions; on the same file system as the blobs, so finishing is a rename.</summary>
    public string UploadsDirectory => Path.Combine(Root, "uploads");

    /// <summary>Creates (if needed), checks and locks the directory; throws <see cref="StartupException"/> when it cannot.</summary>
    public static DataDirectory Open(string path) => new(DataDirectoryLock.Open(path, "aar", ["certs"], EnforceModes));

    /// <summary>Directories 0750 (including blob shards) and the server and signing keys 0600, whatever they were.</summary>
    private static void EnforceModes(string root)
    {
        FileModes.Enforce(root, FileModes.Directory);
        foreach (var directory in new[] { "certs", "blobs", Path.Combine("blobs", "sha256"), Path.Combine("blobs", ".tmp"), "uploads", "quarantine" })
        {
            FileModes.Enforce(Path.Combine(root, directory), FileModes.Directory);
        }

        var shards = Path.Combine(root, "blobs", "sha256");
        if (Directory.Exists(shards))
        {
            foreach (var shard in Directory.EnumerateDirectories(shards))
            {
                FileModes.Enforce(shard, FileModes.Directory);
            }
        }

        FileModes.Enforce(Path.Combine(root, "certs", "server.key"), FileModes.PrivateKey);
        FileModes.Enforce(Path.Combine(root, "certs", "signing.key"), FileModes.PrivateKey);
    }

    public void Dispose() => _held.Dispose();
}
