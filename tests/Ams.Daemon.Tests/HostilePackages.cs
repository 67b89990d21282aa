using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using TestSupport;

namespace Ams.Daemon.Tests;

/// <summary>Packages crafted to exhaust a reader (stack, memory), built cheaply at run time.</summary>
internal static class HostilePackages
{
    public const long HugeMetadataBytes = 300L * 1024 * 1024;

    /// <summary>A manifest of <paramref name="depth"/> nested '[': a few hundred bytes as a zip.</summary>
    public static string DeepManifestZip(string path, int depth = 200_000) =>
        TestPackage.Minimal().File("manifest.yaml", "name: hello\ntags: " + new string('[', depth) + "\n").WriteZip(path, CompressionLevel.Optimal);

    /// <summary>A .tar.gz opening with a metadata entry of <paramref name="size"/> zero bytes: a few hundred KiB.</summary>
    public static string HugeMetadataTarGz(string path, char type, long size = HugeMetadataBytes)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        gzip.Write(Header(type == 'L' ? "././@LongLink" : "PaxHeader/x", type, size));
        var zeros = new byte[1024 * 1024];
        for (var left = Padded(size); left > 0; left -= zeros.Length)
        {
            gzip.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }

        return path;
    }

    /// <summary>A .tar.bz2 opening with a 'L' entry of <paramref name="size"/> bytes (bzip2 is slow to write, so smaller).</summary>
    public static string LongNameTarBz2(string path, long size)
    {
        using var file = File.Create(path);
        using var bzip2 = new ICSharpCode.SharpZipLib.BZip2.BZip2OutputStream(file);
        bzip2.Write(Header("././@LongLink", 'L', size));
        bzip2.Write(new byte[Padded(size)]);
        return path;
    }

    /// <summary>An uncompressed tar opening with a 'L' entry of <paramref name="size"/> bytes, stored as a sparse file.</summary>
    public static string HugeLongNameTar(string path, long size = HugeMetadataBytes)
    {
        using var file = File.Create(path);
        file.Write(Header("././@LongLink", 'L', size));
        file.SetLength(512 + Padded(size) + 1024);
        return path;
    }

    /// <summary>A valid package zip whose end records claim <paramref name="entries"/> entries (through a zip64 record).</summary>
    public static string ZipClaimingEntries(string path, ulong entries)
    {
        File.WriteAllBytes(path, ClaimEntries(File.ReadAllBytes(TestPackage.Minimal().WriteZip(path)), entries));
        return path;
    }

    /// <summary>A package whose app.apk claims <paramref name="entries"/> entries in its end records.</summary>
    public static string ApkClaimingEntries(string path, ulong entries) =>
        TestPackage.Minimal().File("app.apk", ClaimEntries(TestPackage.Apk(), entries)).WriteZip(path);

    /// <summary>Adds a zip64 end record and locator claiming <paramref name="entries"/> entries, and points the classic record at them.</summary>
    private static byte[] ClaimEntries(byte[] zip, ulong entries)
    {
        var end = zip.AsSpan().LastIndexOf("PK\u0005\u0006"u8);
        var directoryBytes = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 12));
        var directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        var zip64 = new byte[56 + 20];
        BinaryPrimitives.WriteUInt32LittleEndian(zip64, 0x06064B50);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64.AsSpan(4), 44);
        BinaryPrimitives.WriteUInt16LittleEndian(zip64.AsSpan(12), 45);
        BinaryPrimitives.WriteUInt16LittleEndian(zip64.AsSpan(14), 45);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64.AsSpan(24), entries);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64.AsSpan(32), entries);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64.AsSpan(40), directoryBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64.AsSpan(48), directoryOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(zip64.AsSpan(56), 0x07064B50);
        BinaryPrimitives.WriteUInt64LittleEndian(zip64.AsSpan(64), (ulong)end);
        BinaryPrimitives.WriteUInt32LittleEndian(zip64.AsSpan(72), 1);
        var record = zip[end..];
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(8), ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(10), ushort.MaxValue);
        return [.. zip[..end], .. zip64, .. record];
    }

    /// <summary>A valid zip whose end record claims a central directory of <paramref name="bytes"/> bytes.</summary>
    public static string ZipClaimingDirectoryBytes(string path, uint bytes)
    {
        var zip = File.ReadAllBytes(TestPackage.Minimal().WriteZip(path));
        var end = zip.AsSpan().LastIndexOf("PK\u0005\u0006"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(end + 12), bytes);
        File.WriteAllBytes(path, zip);
        return path;
    }

    private static long Padded(long size) => (size + 511) / 512 * 512;

    /// <summary>
    /// A POSIX tar whose PAX header says the next file holds 1,024 bytes although that file's own header says 0; the
    /// 1,024 bytes are zeros (an end-of-archive marker to a reader that ignored the PAX size), and behind them comes a
    /// GNU long-name entry of <paramref name="size"/> bytes. Gzipped, or stored sparse when <paramref name="gzip"/> is false.
    /// </summary>
    public static string LongNameBehindPaxSize(string path, bool gzip, long size = HugeMetadataBytes)
    {
        var record = "13 size=1024\n";
        using var head = new MemoryStream();
        head.Write(Header("PaxHeader/f", 'x', record.Length, posix: true));
        head.Write(Encoding.ASCII.GetBytes(record.PadRight(512, '\0')));
        head.Write(Header("extra-data/f", '0', 0, posix: true));
        head.Write(new byte[1024]);
        head.Write(Header("././@LongLink", 'L', size));
        using var file = File.Create(path);
        if (!gzip)
        {
            file.Write(head.ToArray());
            file.SetLength(head.Length + Padded(size) + 1024);
            return path;
        }

        using var compressed = new GZipStream(file, CompressionLevel.Optimal);
        compressed.Write(head.ToArray());
        var zeros = new byte[1024 * 1024];
        for (var left = Padded(size); left > 0; left -= zeros.Length)
        {
            compressed.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }

        return path;
    }

    /// <summary>One tar header with a correct checksum: GNU magic ("ustar  "), or POSIX ("ustar\0" "00").</summary>
    public static byte[] Header(string name, char type, long size, bool posix = false)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)type;
        Encoding.ASCII.GetBytes(posix ? "ustar\000" : "ustar  \0").CopyTo(header, 257);
        "        "u8.CopyTo(header.AsSpan(148));
        var sum = header.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        return header;
    }
}
