namespace Ams.Daemon.Packages;

/// <summary>Bounds that keep a hostile package (zip bomb, millions of entries) from exhausting disk, memory or time.</summary>
internal sealed record PackageLimits
{
    /// <summary>Largest package as uploaded, in bytes.</summary>
    public required long MaxPackageBytes { get; init; }

    /// <summary>Most the package's entries may expand to in total (and the most app.apk may declare), in bytes.</summary>
    public required long MaxExpandedBytes { get; init; }

    public int MaxEntries { get; init; } = 100_000;

    /// <summary>
    /// Largest tar metadata entry (GNU long name or link, PAX header), in bytes: the tar reader holds one in memory
    /// whole. A path is at most a few KiB, so 64 KiB leaves room for any real PAX header.
    /// </summary>
    public int MaxTarMetadataBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Largest zip central directory, in bytes: the zip reader loads it whole. 100,000 entries with names of about
    /// 100 characters take about 15 MiB.
    /// </summary>
    public long MaxZipDirectoryBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>manifest.yaml is read into memory, so it is small by rule.</summary>
    public int MaxManifestBytes { get; init; } = ManifestParser.MaxBytes;
}
