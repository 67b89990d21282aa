using Aar.Hosting;
using Aar.IO;

namespace Ams.Daemon.Hosting;

/// <summary>
/// The daemon's data directory (held through the daemon kit's <see cref="DataDirectoryLock"/>): created on first
/// start, locked for the lifetime of the process so two daemons never share one database, socket or package store,
/// and given its documented modes at every start (directories 0750, the registry client key 0600).
/// </summary>
public sealed class DataDirectory : IDisposable
{
    private static readonly string[] Subdirectories = ["registry", "packages", Path.Combine("packages", "sha256"), Path.Combine("packages", "staging")];

    private readonly DataDirectoryLock _held;

    private DataDirectory(DataDirectoryLock held) => _held = held;

    public string Root => _held.Root;

    public string SocketPath => _held.SocketPath;

    public string DatabasePath => Path.Combine(Root, "ams.db");

    public string RegistryDirectory => Path.Combine(Root, "registry");

    public string ClientCertificatePath => Path.Combine(RegistryDirectory, "client.crt");

    public string ClientKeyPath => Path.Combine(RegistryDirectory, "client.key");

    /// <summary>Pulled packages being downloaded (and resumed): <c>registry/downloads</c>.</summary>
    public string DownloadsDirectory => Path.Combine(RegistryDirectory, "downloads");

    /// <summary>Content-addressed packages: <c>packages/sha256/&lt;hex&gt;</c>.</summary>
    public string PackagesDirectory => Path.Combine(Root, "packages", "sha256");

    /// <summary>Uploads in progress; same file system as <see cref="PackagesDirectory"/> so the final move is atomic.</summary>
    public string StagingDirectory => Path.Combine(Root, "packages", "staging");

    /// <summary>Creates (if needed) and locks the directory; throws <see cref="StartupException"/> when it cannot.</summary>
    public static DataDirectory Open(string path) => new(DataDirectoryLock.Open(path, "ams", Subdirectories, EnforceModes));

    /// <summary>Directories 0750 and the registry client key 0600, whatever they were.</summary>
    private static void EnforceModes(string root)
    {
        FileModes.Enforce(root, FileModes.Directory);
        foreach (var sub in Subdirectories)
        {
            FileModes.Enforce(Path.Combine(root, sub), FileModes.Directory);
        }

        FileModes.Enforce(Path.Combine(root, "registry", "client.key"), FileModes.PrivateKey);
    }

    public void Dispose() => _held.Dispose();
}
