using System.Formats.Tar;

namespace Ams.Daemon.Packages;

/// <summary>Reads a .tar.gz or .tar.bz2 package in one streaming pass, refusing links and special files.</summary>
internal static class TarPackageReader
{
    public static async Task ReadAsync(Stream decompressed, PackageContents contents, PackageLimits limits, string tempDirectory, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(decompressed, leaveOpen: true);
        TarEntry? entry;
        while ((entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken)) is not null)
        {
            var name = EntryPath.Normalize(contents.Package, entry.Name);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    contents.AddDirectory(name);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    contents.AddFile(name, entry.Length);
                    await EntryReader.ReadAsync(entry.DataStream ?? Stream.Null, name, entry.Length, contents, limits, tempDirectory, cancellationToken);
                    await contents.AfterEntryAsync();
                    break;
                case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                    throw new PackageException($"{contents.Package}: entry '{name}' is a link to '{entry.LinkName}'; packages may not contain links, put the file itself in the package.");
                default:
                    throw new PackageException($"{contents.Package}: entry '{name}' is a {entry.EntryType} entry; packages hold only files and directories.");
            }
        }
    }
}
