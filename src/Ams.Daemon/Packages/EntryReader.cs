using System.Buffers;
using System.IO.Hashing;

namespace Ams.Daemon.Packages;

/// <summary>
/// Reads one file entry to its end: the manifest into memory (bounded), app.apk into a temporary file, anything else
/// into nothing. Counts the real bytes, so an entry that expands past what its header declares is caught.
/// </summary>
internal static class EntryReader
{
    public const string ManifestPath = "manifest.yaml";
    public const string ApkPath = "app.apk";

    public static async Task ReadAsync(Stream source, string path, long declared, PackageContents contents, PackageLimits limits, string tempDirectory, CancellationToken cancellationToken, uint? expectedCrc = null)
    {
        if (path == ManifestPath && declared > limits.MaxManifestBytes)
        {
            throw new PackageException($"{contents.Package}: manifest.yaml is {declared} bytes; a manifest must be at most {limits.MaxManifestBytes} bytes.");
        }

        Stream? sink = null;
        try
        {
            if (path == ManifestPath)
            {
                sink = new MemoryStream((int)Math.Max(0, declared));
            }
            else if (path == ApkPath)
            {
                contents.ApkCopy = Path.Combine(tempDirectory, $"{Guid.NewGuid():N}.apk");
                sink = new FileStream(contents.ApkCopy, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 0);
            }

            var crc = expectedCrc is null ? null : new Crc32();
            var real = await CopyAsync(source, sink, declared, crc, cancellationToken);
            if (real > declared)
            {
                throw new PackageException($"{contents.Package}: entry '{path}' declares {declared} bytes but expands to more; the archive is corrupt or a zip bomb.");
            }

            if (real < declared)
            {
                throw new PackageException($"{contents.Package}: entry '{path}' declares {declared} bytes but holds only {real}; the archive is truncated or corrupt.");
            }

            // .NET stops inflating at the declared size, so a lying header shows up as a checksum mismatch.
            if (crc is not null && crc.GetCurrentHashAsUInt32() != expectedCrc)
            {
                throw new PackageException($"{contents.Package}: entry '{path}' fails its CRC-32 check (it declares {declared} bytes but holds other data); the archive is corrupt or a zip bomb.");
            }

            if (sink is MemoryStream memory)
            {
                contents.Manifest = memory.ToArray();
            }
        }
        finally
        {
            if (sink is not null)
            {
                await sink.DisposeAsync();
            }
        }
    }

    /// <summary>Copies until the end, or until one byte past <paramref name="declared"/> proves the header wrong.</summary>
    private static async Task<long> CopyAsync(Stream source, Stream? sink, long declared, Crc32? crc, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > declared)
                {
                    return total;
                }

                crc?.Append(buffer.AsSpan(0, read));
                if (sink is not null)
                {
                    await sink.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
