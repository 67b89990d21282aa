using Aar.Protocol.Management;
using Ams.Daemon.Api;

namespace Ams.Daemon.Packages;

/// <summary>What one pass over a package collected: its paths, the manifest text and where app.apk was copied.</summary>
internal sealed class PackageContents(string package, PackageLimits limits, Func<ManifestInfo, Task<ApiProblem?>>? onManifest = null)
{
    private bool _announced;
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private long _expanded;

    public string Package { get; } = package;

    public byte[]? Manifest { get; set; }

    /// <summary>The parsed manifest, once it was read (before the rest of the package is checked).</summary>
    public ManifestInfo? ParsedManifest { get; private set; }

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

    /// <summary>
    /// Called after each entry: as soon as the manifest has been read, parses it and tells the caller, which may
    /// refuse (a name already taken) before the rest of a large package is read.
    /// </summary>
    public async Task AfterEntryAsync()
    {
        if (_announced || Manifest is null)
        {
            return;
        }

        _announced = true;
        ParsedManifest = ManifestParser.Parse(Manifest, hasApk: false);
        if (onManifest is not null && await onManifest(ParsedManifest) is { } refusal)
        {
            throw new PackageException(refusal.Message, refusal.Code);
        }
    }

    public bool Exists(string path) => _files.Contains(path) || _directories.Contains(path);

    public bool IsDirectory(string path) => _directories.Contains(path);
}
