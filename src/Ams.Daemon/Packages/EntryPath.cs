namespace Ams.Daemon.Packages;

/// <summary>Checks an archive entry's name and returns it relative to the package root, or refuses it.</summary>
internal static class EntryPath
{
    /// <summary>Returns the normalized path ("" for the root itself); throws <see cref="PackageException"/> for unsafe names.</summary>
    public static string Normalize(string package, string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            throw new PackageException($"{package}: entry '{Printable(name)}' has a NUL or backslash in its name; use plain '/'-separated paths.");
        }

        if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':'))
        {
            throw new PackageException($"{package}: entry '{Printable(name)}' is an absolute path; entries must stay inside the package.");
        }

        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        if (segments.Contains(".."))
        {
            throw new PackageException($"{package}: entry '{Printable(name)}' escapes the package with '..'; entries must stay inside the package.");
        }

        return string.Join('/', segments);
    }

    private static string Printable(string name) => new(name.Select(c => char.IsControl(c) ? '?' : c).Take(200).ToArray());
}
