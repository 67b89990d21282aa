namespace Ams.Daemon.Packages;

/// <summary>Bounds that keep a hostile package (zip bomb, millions of entries) from exhausting disk, memory or time.</summary>
internal sealed record PackageLimits
{
    /// <summary>Largest package as uploaded, in bytes.</summary>
    public required long MaxPackageBytes { get; init; }

    /// <summary>Most the package's entries may expand to in total (and the most app.apk may declare), in bytes.</summary>
    public required long MaxExpandedBytes { get; init; }

    public int MaxEntries { get; init; } = 100_000;

    /// <summary>manifest.yaml is read into memory, so it is small by rule.</summary>
    public int MaxManifestBytes { get; init; } = 1024 * 1024;
}
