using System.IO.Compression;
using Aar.Protocol.Management;
using Ams.Daemon.Api;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.BZip2;

namespace Ams.Daemon.Packages;

/// <summary>
/// Validates a stored package file: format by magic bytes, safe entries, size limits, manifest.yaml, app.apk and the
/// extra-data the manifest names. Returns the manifest, or one sentence naming the file and the field.
/// </summary>
internal static class PackageInspector
{
    public static async Task<Result<ManifestInfo>> InspectAsync(string path, string packageName, PackageLimits limits, string tempDirectory, CancellationToken cancellationToken, Func<ManifestInfo, Task<ApiProblem?>>? onManifest = null)
    {
        var contents = new PackageContents(packageName, limits, onManifest);
        try
        {
            await ReadAsync(path, contents, limits, tempDirectory, cancellationToken);
            return await CheckAsync(contents, limits, cancellationToken);
        }
        catch (PackageException ex)
        {
            return new ApiProblem(ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or SharpZipBaseException)
        {
            return ApiProblem.BadRequest($"{packageName} is truncated or corrupt ({ex.Message.TrimEnd('.')}); create the package again and upload it once more.");
        }
        finally
        {
            if (contents.ApkCopy is not null)
            {
                File.Delete(contents.ApkCopy);
            }
        }
    }

    private static async Task ReadAsync(string path, PackageContents contents, PackageLimits limits, string tempDirectory, CancellationToken cancellationToken)
    {
        var head = new byte[PackageFormats.MagicLength];
        int length;
        await using (var probe = File.OpenRead(path))
        {
            length = await probe.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        }

        var format = PackageFormats.Detect(head.AsSpan(0, length));
        if (format == PackageFormat.Zip)
        {
            await ZipPackageReader.ReadAsync(path, contents, limits, tempDirectory, cancellationToken);
            return;
        }

        if (format == PackageFormat.Unknown)
        {
            throw new PackageException($"{contents.Package} is not a supported package: expected {PackageFormats.Supported}.");
        }

        // Tar headers and padding add a little to the file data the limit counts; allow for them.
        var bound = limits.MaxExpandedBytes + ((long)limits.MaxEntries * 1024) + (64 * 1024 * 1024);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, useAsync: true);
        Stream decompressor = format switch
        {
            PackageFormat.TarGzip => new GZipStream(file, CompressionMode.Decompress),
            PackageFormat.TarBzip2 => new BZip2InputStream(file),
            _ => file,
        };
        // An uncompressed tar cannot expand: it goes in as the file itself, which lets the reader step over entries.
        await using var archive = format == PackageFormat.Tar ? decompressor : new BoundedReadStream(decompressor, bound, () => new PackageException(
            $"{contents.Package} expands to more than {limits.MaxExpandedBytes} bytes, the limit for unpacked packages (a compression bomb, or a package too large for this AMS)."));
        try
        {
            await TarPackageReader.ReadAsync(archive, contents, limits, tempDirectory, cancellationToken);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new PackageException($"{contents.Package} is truncated or corrupt ({ex.Message.TrimEnd('.')}); create the package again and upload it once more.");
        }
        catch (NotSupportedException ex)
        {
            // TarReader refuses some entry kinds (GNU sparse files, found by fuzzing) with this rather than a format error.
            throw new PackageException($"{contents.Package} uses a tar feature packages may not use ({ex.Message.TrimEnd('.')}); packages hold only plain files and directories.");
        }
    }

    private static async Task<Result<ManifestInfo>> CheckAsync(PackageContents contents, PackageLimits limits, CancellationToken cancellationToken)
    {
        if (contents.Manifest is null)
        {
            var nested = contents.Files.FirstOrDefault(f => f.EndsWith("/" + EntryReader.ManifestPath, StringComparison.Ordinal));
            return ApiProblem.BadRequest(nested is null
                ? $"{contents.Package} has no manifest.yaml at its top level; every package needs one (see docs/ams.md)."
                : $"{contents.Package} has no manifest.yaml at its top level (found {nested}); package the contents of the application directory, not the directory itself.");
        }

        var manifest = (contents.ParsedManifest ?? ManifestParser.Parse(contents.Manifest, hasApk: false)) with { HasApk = contents.ApkCopy is not null };
        if (contents.ApkCopy is not null)
        {
            await ApkCheck.CheckAsync(contents.ApkCopy, contents.Package, limits, cancellationToken);
        }
        else if (contents.IsDirectory(EntryReader.ApkPath))
        {
            return ApiProblem.BadRequest($"{contents.Package}: app.apk is a directory; it must be the APK file itself.");
        }

        foreach (var name in manifest.ExtraData.Keys)
        {
            if (!contents.Exists($"extra-data/{name}"))
            {
                return ApiProblem.BadRequest($"{contents.Package}: manifest.yaml names extra-data '{name}' but the package has no extra-data/{name}; add the file or remove it from the manifest.");
            }
        }

        return manifest;
    }
}
