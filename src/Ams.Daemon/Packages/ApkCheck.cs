using System.IO.Compression;

namespace Ams.Daemon.Packages;

/// <summary>
/// app.apk must be a ZIP holding AndroidManifest.xml. Only its central directory is read: nested archives are never
/// expanded, so an APK cannot smuggle a zip bomb past the limits; its declared sizes still count against them.
/// </summary>
internal static class ApkCheck
{
    public static async Task CheckAsync(string apkPath, string package, PackageLimits limits, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(apkPath, FileMode.Open, FileAccess.Read, FileShare.Read, 0, useAsync: true);
        await ZipDirectoryCheck.CheckAsync(file.SafeFileHandle, $"{package}: app.apk", limits, cancellationToken);
        ZipArchive archive;
        try
        {
            archive = await ZipArchive.CreateAsync(file, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        }
        catch (InvalidDataException)
        {
            throw new PackageException($"{package}: app.apk is not a valid APK (it is not a ZIP archive); build the APK again and put it in the package as app.apk.");
        }

        await using (archive)
        {
            if (archive.Entries.Count > limits.MaxEntries)
            {
                throw new PackageException($"{package}: app.apk has {archive.Entries.Count} entries, more than the {limits.MaxEntries} allowed.");
            }

            long declared = 0;
            foreach (var entry in archive.Entries)
            {
                declared += entry.Length;
                if (declared > limits.MaxExpandedBytes)
                {
                    throw new PackageException($"{package}: app.apk declares more than {limits.MaxExpandedBytes} bytes of content, the limit for unpacked packages (a zip bomb?).");
                }
            }

            if (!archive.Entries.Any(e => e.FullName == "AndroidManifest.xml"))
            {
                throw new PackageException($"{package}: app.apk has no AndroidManifest.xml at its root, so it is not an Android application; check the APK was built correctly.");
            }
        }
    }
}
