using System.IO.Compression;

namespace Ams.Daemon.Packages;

/// <summary>
/// Reads a .zip package: checks the directory's declared size and entry count first (<see cref="ZipDirectoryCheck"/>),
/// then every entry's name and type, and expands every file once to verify its size.
/// </summary>
internal static class ZipPackageReader
{
    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymbolicLink = 0xA000;
    private const int UnixRegularFile = 0x8000;
    private const int UnixDirectory = 0x4000;

    public static async Task ReadAsync(string path, PackageContents contents, PackageLimits limits, string tempDirectory, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, useAsync: true);
        await ZipDirectoryCheck.CheckAsync(file.SafeFileHandle, contents.Package, limits, cancellationToken);
        ZipArchive archive;
        try
        {
            archive = await ZipArchive.CreateAsync(file, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw new PackageException($"{contents.Package} is not a valid zip archive ({ex.Message.TrimEnd('.')}); it may be truncated: create it again.");
        }

        await using (archive)
        {
            if (archive.Entries.Count > limits.MaxEntries)
            {
                throw new PackageException($"{contents.Package} has {archive.Entries.Count} entries, more than the {limits.MaxEntries} allowed; that is not an application package.");
            }

            // The manifest first, so the caller hears about it before the bulk of the package is expanded.
            foreach (var entry in archive.Entries.OrderBy(e => e.FullName.TrimStart('.', '/') == EntryReader.ManifestPath ? 0 : 1))
            {
                var name = EntryPath.Normalize(contents.Package, entry.FullName);
                var unixType = (entry.ExternalAttributes >> 16) & UnixFileTypeMask;
                if (unixType == UnixSymbolicLink)
                {
                    throw new PackageException($"{contents.Package}: entry '{name}' is a symbolic link; packages may not contain links, put the file itself in the package.");
                }

                if (unixType is not (0 or UnixRegularFile or UnixDirectory))
                {
                    throw new PackageException($"{contents.Package}: entry '{name}' is not a regular file or directory; packages hold only files and directories.");
                }

                if (entry.FullName.EndsWith('/') || unixType == UnixDirectory)
                {
                    contents.AddDirectory(name);
                    continue;
                }

                contents.AddFile(name, entry.Length);
                await using var stream = await entry.OpenAsync(cancellationToken);
                await EntryReader.ReadAsync(stream, name, entry.Length, contents, limits, tempDirectory, cancellationToken, entry.Crc32);
                await contents.AfterEntryAsync();
            }
        }
    }
}
