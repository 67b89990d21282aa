namespace Ams.Daemon.Packages;

/// <summary>What one pass over a package collected: its paths, the manifest text and where app.apk was copied.</summary>
internal sealed class PackageContents(string package, PackageLimits limits)
{
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private long _expanded;

    public string Package { get; } = package;

    public byte[]? Manifest { get; set; }

    /// <summary>A temporary copy of app.apk (zip readers need to seek); deleted by the inspector.</summary>
    public string? ApkCopy { get; set; }

    public IReadOnlySet<string> Files => _files;

    public void AddDirectory(string path)
    {
        if (path.Length > 0)
        {
            _directories.Add(path);
        }
    }

    public void AddFile(string path, long declaredLength)
    {
        if (_files.Count + _directories.Count >= limits.MaxEntries)
        {
            throw new PackageException($"{Package} has more than {limits.MaxEntries} entries; that is not an application package.");
        }

        if (!_files.Add(path))
        {
            throw new PackageException($"{Package}: entry '{path}' appears twice; an entry must be unique.");
        }

        AddExpanded(declaredLength);
        var parent = Path.GetDirectoryName(path);
        while (!string.IsNullOrEmpty(parent))
        {
            _directories.Add(parent);
            parent = Path.GetDirectoryName(parent);
        }
    }

    /// <summary>Counts bytes an entry claims or really expands to against the expansion limit.</summary>
    public void AddExpanded(long bytes)
    {
        _expanded += bytes;
        if (_expanded > limits.MaxExpandedBytes || bytes < 0)
        {
            throw new PackageException($"{Package} expands to more than {limits.MaxExpandedBytes} bytes, the limit for unpacked packages (a zip bomb, or a package too large for this AMS).");
        }
    }

    public bool Exists(string path) => _files.Contains(path) || _directories.Contains(path);

    public bool IsDirectory(string path) => _directories.Contains(path);
}
