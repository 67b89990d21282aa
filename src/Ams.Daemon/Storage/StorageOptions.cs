namespace Ams.Daemon.Storage;

/// <summary>Where the package store keeps its files (given by the composition root from the data directory).</summary>
/// <param name="PackagesDirectory">Content-addressed packages: <c>packages/sha256/&lt;hex&gt;</c>.</param>
/// <param name="StagingDirectory">Uploads in progress; same file system as <paramref name="PackagesDirectory"/> so the final move is atomic.</param>
internal sealed record StorageOptions(string PackagesDirectory, string StagingDirectory);
