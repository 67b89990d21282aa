using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Ams.Daemon.Packages;
using CsCheck;
using TestSupport;

namespace Ams.Daemon.Tests;

/// <summary>
/// Valid tar and zip packages of random shape are accepted with every entry seen; damaged ones (bytes changed in
/// headers and end records, with tar checksums repaired so the damage reaches past the checksum test, or cut short)
/// are refused with a message, never with another exception, and each case allocates a bounded amount.
/// </summary>
[Collection(nameof(AllocationMeasured))]
public sealed class ArchivePropertyTests : IDisposable
{
    private const long CaseAllocationBound = 32L * 1024 * 1024;

    private static readonly PackageLimits Limits = new() { MaxPackageBytes = 1L << 30, MaxExpandedBytes = 1L << 30 };

    private static readonly Gen<string[]> FileNames = Gen.String[Gen.Char["abcdefghij0123456789_-"], 1, 140].Array[0, 6]
        .Select(names => names.Distinct().ToArray());

    private readonly TempDirectory _directory = new("fuzz");

    public enum Kind
    {
        PaxTar,
        GnuTar,
        PaxTarGz,
        GnuTarGz,
        Zip,
    }

    [Fact]
    public Task Valid_packages_of_any_shape_are_accepted_with_every_entry_seen() =>
        PropertyCheck.ForAllAsync(Gen.Select(Gen.Enum<Kind>(), FileNames, Gen.Int[0, 3000]), 300, async value =>
        {
            var (kind, names, size) = value;
            var path = Write(kind, Package(names, size));

            var (result, _) = await InspectAsync(path);

            Assert.Null(result.Error);
            Assert.Equal(names.Order(StringComparer.Ordinal), result.Value!.ExtraData.Keys.Order(StringComparer.Ordinal));
        }, Describe);

    [Fact]
    public Task Damaged_tars_are_refused_with_a_message_and_bounded_memory() =>
        PropertyCheck.ForAllAsync(Gen.Select(Gen.OneOf(Kind.PaxTar, Kind.GnuTar, Kind.PaxTarGz, Kind.GnuTarGz), FileNames, Edits, Gen.Int[0, 100]), 1200, async value =>
        {
            var (kind, names, edits, cut) = value;
            var tar = TarBytes(Package(names, 700), kind is Kind.GnuTar or Kind.GnuTarGz ? TarEntryFormat.Gnu : TarEntryFormat.Pax);
            var headers = HeaderOffsets(tar);
            foreach (var (block, offset, text) in edits)
            {
                var at = headers[block % headers.Count];
                Encoding.Latin1.GetBytes(text).AsSpan(0, Math.Min(text.Length, 512 - offset)).CopyTo(tar.AsSpan(at + offset));
                FixChecksum(tar.AsSpan(at, 512));
            }

            tar = cut == 0 ? tar : tar[..(int)(tar.Length * (100 - cut) / 100L)];
            var path = kind is Kind.PaxTarGz or Kind.GnuTarGz ? Gzip(tar) : Save(tar, "p.tar");

            await InspectAsync(path);
        }, Describe);

    [Fact]
    public Task Damaged_zips_are_refused_with_a_message_and_bounded_memory() =>
        PropertyCheck.ForAllAsync(Gen.Select(FileNames, Gen.Select(Gen.Int[0, 400], Gen.Byte.Array[1, 8]).Array[1, 6], Gen.Int[0, 100]), 1200, async value =>
        {
            var (names, edits, cut) = value;
            var zip = File.ReadAllBytes(Write(Kind.Zip, Package(names, 700)));
            foreach (var (fromEnd, bytes) in edits)
            {
                // Most of what a zip reader trusts sits at the end: the central directory and the end records.
                var at = Math.Max(0, zip.Length - 1 - fromEnd);
                bytes.AsSpan(0, Math.Min(bytes.Length, zip.Length - at)).CopyTo(zip.AsSpan(at));
            }

            zip = cut < 90 ? zip : zip[..(zip.Length * (100 - cut) / 10)];
            await InspectAsync(Save(zip, "p.zip"));
        }, Describe);

    public void Dispose() => _directory.Dispose();

    /// <summary>Edits of a header: which header, where in it, and what to write (sizes, types and magic favoured).</summary>
    private static Gen<(int Block, int Offset, string Text)[]> Edits => Gen.Frequency<(int Block, int Offset, string Text)>(
            (3, Gen.Select(Gen.Int[0, 20], Gen.Const(124), Gen.OneOf("77777777777", "00000200000", "1", "", "\u0080\0\0\0\0\0\0\u0001\0\0\0\0", "\u00ff\u00ff", "99", " 17 "))),
            (3, Gen.Select(Gen.Int[0, 20], Gen.Const(156), Gen.OneOf("L", "K", "x", "g", "0", "5", "1", "2", "S", "V", "\0", "7", "Z"))),
            (1, Gen.Select(Gen.Int[0, 20], Gen.Const(257), Gen.OneOf("ustar\0", "ustar  \0", "xxxxx"))),
            (2, Gen.Select(Gen.Int[0, 20], Gen.Int[0, 511], Gen.String[Gen.Char, 1, 12])))
        .Array[1, 5];

    private static TestPackage Package(string[] names, int size)
    {
        var manifest = new StringBuilder("name: hello\nextra-data:\n");
        var package = TestPackage.Minimal();
        foreach (var name in names)
        {
            manifest.Append("  '").Append(name).Append("':\n    target: /sdcard/Android/obb/x\n");
            package.File($"extra-data/{name}", new byte[size]);
        }

        return package.File("manifest.yaml", names.Length == 0 ? "name: hello\n" : manifest.ToString());
    }

    private string Write(Kind kind, TestPackage package) => kind switch
    {
        Kind.Zip => package.WriteZip(_directory.Combine($"{Guid.NewGuid():N}.zip")),
        Kind.PaxTar => Save(TarBytes(package, TarEntryFormat.Pax), "p.tar"),
        Kind.GnuTar => Save(TarBytes(package, TarEntryFormat.Gnu), "p.tar"),
        Kind.PaxTarGz => Gzip(TarBytes(package, TarEntryFormat.Pax)),
        _ => Gzip(TarBytes(package, TarEntryFormat.Gnu)),
    };

    private static byte[] TarBytes(TestPackage package, TarEntryFormat format)
    {
        using var memory = new MemoryStream();
        using (var tar = new TarWriter(memory, format, leaveOpen: true))
        {
            foreach (var entry in package.Entries)
            {
                TarEntry written = format == TarEntryFormat.Gnu ? new GnuTarEntry(TarEntryType.RegularFile, entry.Name) : new PaxTarEntry(TarEntryType.RegularFile, entry.Name);
                written.DataStream = new MemoryStream(entry.Content ?? []);
                tar.WriteEntry(written);
            }
        }

        return memory.ToArray();
    }

    /// <summary>Where each header of a tar written by TarWriter starts (sizes there are octal).</summary>
    private static List<int> HeaderOffsets(byte[] tar)
    {
        List<int> offsets = [];
        for (var at = 0; at + 512 <= tar.Length && tar[at + 148] != 0;)
        {
            offsets.Add(at);
            var size = Convert.ToInt64(Encoding.ASCII.GetString(tar, at + 124, 11).Trim('\0', ' '), 8);
            at += 512 + (int)((size + 511) / 512 * 512);
        }

        return offsets;
    }

    private static void FixChecksum(Span<byte> header)
    {
        "        "u8.CopyTo(header[148..]);
        var sum = 0;
        foreach (var b in header)
        {
            sum += b;
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[148..]);
    }

    private string Gzip(byte[] tar)
    {
        var path = _directory.Combine($"{Guid.NewGuid():N}.tar.gz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(tar);
        return path;
    }

    private string Save(byte[] bytes, string name)
    {
        var path = _directory.Combine($"{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private async Task<(Api.Result<Aar.Protocol.Management.ManifestInfo> Result, long Allocated)> InspectAsync(string path)
    {
        var temp = Directory.CreateDirectory(_directory.Combine("tmp")).FullName;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await PackageInspector.InspectAsync(path, "p", Limits, temp, CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < CaseAllocationBound, $"inspecting allocated {allocated} bytes ({result.Error?.Message ?? "accepted"})");
        File.Delete(path);
        return (result, allocated);
    }

    private static string Describe<T>(T value) => value switch
    {
        ITuple tuple => string.Join(" | ", Enumerable.Range(0, tuple.Length).Select(i => tuple[i] switch
        {
            System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object>()) + "]",
            var item => item?.ToString(),
        })),
        _ => value?.ToString() ?? "null",
    };
}
