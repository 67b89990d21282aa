using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Ams.Daemon.Packages;

/// <summary>
/// Reads a zip's end-of-central-directory record (and its zip64 record, when there is one) and refuses an entry
/// count over <see cref="PackageLimits.MaxEntries"/> or a central directory over
/// <see cref="PackageLimits.MaxZipDirectoryBytes"/> before <see cref="System.IO.Compression.ZipArchive"/> loads the
/// directory into memory whole. Finds the record the way ZipArchive does: the last signature within the 64 KiB a
/// comment may take. A file without one is left for ZipArchive to refuse as not a zip.
/// </summary>
internal static class ZipDirectoryCheck
{
    private const uint EndSignature = 0x06054B50;
    private const uint Zip64LocatorSignature = 0x07064B50;
    private const uint Zip64EndSignature = 0x06064B50;
    private const int EndLength = 22;
    private const int Zip64LocatorLength = 20;
    private const int Zip64EndLength = 56;

    public static async Task CheckAsync(SafeFileHandle file, string package, PackageLimits limits, CancellationToken cancellationToken)
    {
        var length = RandomAccess.GetLength(file);
        var tail = new byte[(int)Math.Min(length, EndLength + ushort.MaxValue + Zip64LocatorLength)];
        var tailStart = length - tail.Length;
        await RandomAccess.ReadAsync(file, tail, tailStart, cancellationToken);
        var end = LastEndRecord(tail);
        if (end < 0)
        {
            return;
        }

        // The zip64 record takes over where the classic fields hold their 0xFFFF marker; where both hold a number,
        // the larger counts, so no reading of the two records can claim less than a reader might load.
        var record = tail.AsSpan(end);
        var entries = Classic(Math.Max(BinaryPrimitives.ReadUInt16LittleEndian(record[8..]), BinaryPrimitives.ReadUInt16LittleEndian(record[10..])), ushort.MaxValue);
        var directoryBytes = Classic(BinaryPrimitives.ReadUInt32LittleEndian(record[12..]), uint.MaxValue);
        if (end >= Zip64LocatorLength && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end - Zip64LocatorLength)) == Zip64LocatorSignature)
        {
            var at = BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(end - Zip64LocatorLength + 8));
            var zip64 = new byte[Zip64EndLength];
            if (length < Zip64EndLength
                || at > (ulong)(length - Zip64EndLength)
                || await RandomAccess.ReadAsync(file, zip64, (long)at, cancellationToken) < Zip64EndLength
                || BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndSignature)
            {
                throw new PackageException($"{package} is not a valid zip archive (its zip64 end record is missing or damaged); it may be truncated: create it again.");
            }

            entries = Math.Max(entries, Math.Max(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(24)), BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32))));
            directoryBytes = Math.Max(directoryBytes, BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(40)));
        }
        else
        {
            entries = Math.Max(entries, BinaryPrimitives.ReadUInt16LittleEndian(record[10..]));
            directoryBytes = Math.Max(directoryBytes, BinaryPrimitives.ReadUInt32LittleEndian(record[12..]));
        }

        if (entries > (ulong)limits.MaxEntries)
        {
            throw new PackageException($"{package} declares {entries} entries in its zip directory, more than the {limits.MaxEntries} allowed; that is not an application package.");
        }

        if (directoryBytes > (ulong)limits.MaxZipDirectoryBytes)
        {
            throw new PackageException($"{package} declares a zip directory of {directoryBytes} bytes, more than the {limits.MaxZipDirectoryBytes} allowed; that is not an application package.");
        }

        if (directoryBytes > (ulong)length)
        {
            throw new PackageException($"{package} declares a zip directory of {directoryBytes} bytes in a file of {length}; it is truncated or corrupt: create it again.");
        }
    }

    private static ulong Classic(ulong value, ulong zip64Marker) => value == zip64Marker ? 0 : value;

    private static int LastEndRecord(ReadOnlySpan<byte> tail)
    {
        for (var i = tail.Length - EndLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail[i..]) == EndSignature)
            {
                return i;
            }
        }

        return -1;
    }
}
