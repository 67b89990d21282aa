namespace Amc.Cli.Packages;

/// <summary>
/// A package given on the command line: a .zip/.tar.gz/.tar.bz2 file sent as it is, or a directory sent as a
/// .tar.gz built while uploading (never written to disk, never held in memory).
/// </summary>
internal sealed record PackageSource(string Path, string Name, bool IsDirectory, long Size)
{
    private static readonly string[] Extensions = [".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz"];

    /// <summary>Finds the package; on failure <paramref name="error"/> is one sentence.</summary>
    public static PackageSource? Open(string path, out string? error)
    {
        error = null;
        if (Directory.Exists(path))
        {
            var full = System.IO.Path.GetFullPath(path);
            return new PackageSource(full, System.IO.Path.GetFileName(full.TrimEnd('/')), true, DirectoryArchiveContent.MeasureFiles(full));
        }

        if (!File.Exists(path))
        {
            error = $"{path} does not exist; give a package directory or a .zip, .tar, .tar.gz or .tar.bz2 file.";
            return null;
        }

        var name = System.IO.Path.GetFileName(path);
        if (!Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
        {
            error = $"{name} is not a supported package type: give a directory or a .zip, .tar, .tar.gz or .tar.bz2 file.";
            return null;
        }

        return new PackageSource(System.IO.Path.GetFullPath(path), name, false, new FileInfo(path).Length);
    }

    /// <summary>The request body, reporting bytes read (file) or packed (directory) to <paramref name="progress"/>.</summary>
    public HttpContent CreateContent(IProgress<long> progress) => IsDirectory
        ? new DirectoryArchiveContent(Path, progress)
        : new ProgressStreamContent(new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, useAsync: true), Size, progress);
}
