using System.Formats.Tar;
using System.Net;

namespace Amc.Cli.Packages;

/// <summary>
/// Sends a directory as a tar made on the fly (chunked: the length is unknown until the end). Not compressed: the
/// daemon is on this machine, and gzip would cost far more CPU than the socket saves (1 GiB of incompressible data:
/// 26 s as .tar.gz, ~5 s as a plain tar). Links are written as links, so the daemon refuses them with the entry
/// named, exactly as it would in an archive.
/// </summary>
internal sealed class DirectoryArchiveContent(string root, IProgress<long> progress) : HttpContent
{
    public static long MeasureFiles(string root) =>
        Walk(root).Where(e => e is FileInfo && e.LinkTarget is null).Sum(e => ((FileInfo)e).Length);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        long done = 0;
        foreach (var entry in Walk(root))
        {
            var name = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (entry is FileInfo file && entry.LinkTarget is null)
            {
                // The file's bytes are counted as the tar writer reads them, so the progress moves inside a large file
                // instead of jumping from 0 to 100 % when one file is most of the package.
                await using var data = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                var before = done;
                var regular = new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new CountingReadStream(data, read => progress.Report(before + read)),
                    Mode = File.GetUnixFileMode(file.FullName),
                    ModificationTime = file.LastWriteTimeUtc,
                };
                await tar.WriteEntryAsync(regular, cancellationToken);
                done += file.Length;
                progress.Report(done);
            }
            else
            {
                await tar.WriteEntryAsync(entry.FullName, entry is DirectoryInfo && entry.LinkTarget is null ? name + "/" : name, cancellationToken);
            }
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    /// <summary>Every entry below <paramref name="directory"/>, parents first; symbolic links are listed, not followed.</summary>
    private static IEnumerable<FileSystemInfo> Walk(string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = false }).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            yield return entry;
            if (entry is DirectoryInfo && entry.LinkTarget is null)
            {
                foreach (var child in Walk(entry.FullName))
                {
                    yield return child;
                }
            }
        }
    }
}
