using System.Formats.Tar;

namespace Ams.Daemon.Packages;

/// <summary>
/// Reads a .tar, .tar.gz or .tar.bz2 package in one pass, refusing links and special files. A compressed archive is
/// read whole (only decompressing shows what an entry really expands to). An uncompressed one, given as the
/// seekable file itself, is read for its headers, manifest and APK only: every other entry's bytes are where its
/// header says and are stepped over, after checking that the file is long enough to hold them. For the 1 GiB
/// package of the end-to-end benchmark that is a few KiB read instead of the whole package, on the publisher at
/// create and on the client at import. Every header is first checked by a <see cref="TarHeaderScanner"/> (ahead of
/// the reader for a plain file, alongside it for a compressed stream), which refuses oversized metadata entries.
/// </summary>
internal static class TarPackageReader
{
    public static async Task ReadAsync(Stream decompressed, PackageContents contents, PackageLimits limits, string tempDirectory, CancellationToken cancellationToken)
    {
        // Only the plain file can be stepped over: a decompressor or a bounded view cannot seek.
        var archive = decompressed is FileStream { CanSeek: true } file ? file : null;
        var scanner = new TarHeaderScanner(contents.Package, limits);
        if (archive is not null)
        {
            await scanner.ScanFileAsync(archive.SafeFileHandle, archive.Length, cancellationToken);
        }

        await using var source = archive is null ? new TarScanningStream(decompressed, scanner) : null;
        await using var reader = new TarReader(source ?? decompressed, leaveOpen: true);
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
                    if (archive is not null && name is not (EntryReader.ManifestPath or EntryReader.ApkPath))
                    {
                        // TarReader seeks past the data it was not asked for; a cut file must not pass for a short archive.
                        if (entry.DataOffset + entry.Length > archive.Length)
                        {
                            throw new PackageException($"{contents.Package}: entry '{name}' declares {entry.Length} bytes but the archive ends before them; the archive is truncated or corrupt.");
                        }
                    }
                    else
                    {
                        await EntryReader.ReadAsync(entry.DataStream ?? Stream.Null, name, entry.Length, contents, limits, tempDirectory, cancellationToken);
                    }

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
