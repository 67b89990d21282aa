using System.IO.Compression;
using System.Text;
using TestSupport;

namespace Ams.Daemon.Tests;

/// <summary>The malformed packages an import must refuse (bad manifests, unsafe archives), each built at run time in <c>directory</c>; returns the file to upload.</summary>
internal static class BadPackages
{
    public static string Build(string name, string directory)
    {
        string In(string file) => Path.Combine(directory, file);
        var good = TestPackage.Minimal();
        return name switch
        {
            "missing-manifest" => good.Without("manifest.yaml").WriteZip(In("p.zip")),
            "nested-manifest" => new TestPackage().File("hello/manifest.yaml", "name: hello\n").WriteZip(In("p.zip")),
            "empty-manifest" => good.File("manifest.yaml", "   \n").WriteZip(In("p.zip")),
            "corrupt-manifest" => good.File("manifest.yaml", "name: hello\nversion: [1.0\ntags: x\n").WriteZip(In("p.zip")),
            "manifest-not-a-mapping" => good.File("manifest.yaml", "- just\n- a list\n").WriteZip(In("p.zip")),
            "manifest-without-name" => good.File("manifest.yaml", "version: \"1\"\n").WriteZip(In("p.zip")),
            "duplicate-key" => good.File("manifest.yaml", "name: hello\nversion: \"1\"\nname: other\n").WriteZip(In("p.zip")),
            "tab-indented" => good.File("manifest.yaml", "name: hello\nresources:\n\tcpus: 2\n").WriteZip(In("p.zip")),
            "not-utf8" => good.File("manifest.yaml", [0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xFF, 0xFE]).WriteZip(In("p.zip")),
            "unknown-key" => good.File("manifest.yaml", "name: hello\nversion: \"1\"\ncolour: blue\n").WriteZip(In("p.zip")),
            "bad-name" => good.File("manifest.yaml", "name: hello world!\n").WriteZip(In("p.zip")),
            "long-name" => good.File("manifest.yaml", $"name: {new string('a', 65)}\n").WriteZip(In("p.zip")),
            "long-version" => good.File("manifest.yaml", $"name: hello\nversion: \"{new string('1', 51)}\"\n").WriteZip(In("p.zip")),
            "bad-instance-type" => good.File("manifest.yaml", "name: hello\ninstance-type: z9.9\n").WriteZip(In("p.zip")),
            "bad-boot-package" => good.File("manifest.yaml", "name: hello\nboot-package: nodots\n").WriteZip(In("p.zip")),
            "bad-resources" => good.File("manifest.yaml", "name: hello\nresources:\n  cpus: 0\n").WriteZip(In("p.zip")),
            "bad-extra-data-target" => good.File("manifest.yaml", "name: hello\nextra-data:\n  a.obb:\n    target: /etc/passwd\n").File("extra-data/a.obb", "x").WriteZip(In("p.zip")),
            "dotdot-zip" => good.File("../evil.txt", "x").WriteZip(In("p.zip")),
            "dotdot-tar" => good.File("extra-data/../../evil.txt", "x").WriteTarGz(In("p.tar.gz")),
            "absolute-tar" => good.File("/etc/evil", "x").WriteTarGz(In("p.tar.gz")),
            "symlink-zip" => good.Link("extra-data/passwd", "/etc/passwd").WriteZip(In("p.zip")),
            "symlink-tar" => good.Link("extra-data/up", "../../../etc").WriteTarBz2(In("p.tar.bz2")),
            "hardlink-tar" => HardLinkTar(In("p.tar.gz")),
            "zip-bomb-declared" => LyingZip(In("p.zip")),
            "truncated-zip" => Truncate(good.WriteZip(In("p.zip"))),
            "truncated-tar" => Truncate(good.File("extra-data/big.bin", new byte[200_000]).WriteTarGz(In("p.tar.gz"))),
            // Uncompressed: the reader steps over big.bin's bytes instead of reading them, so it must notice they are missing.
            "truncated-plain-tar" => Truncate(good.File("extra-data/big.bin", new byte[200_000]).WriteTar(In("p.tar"))),
            "apk-not-zip" => good.File("app.apk", "this is not a zip").WriteZip(In("p.zip")),
            "apk-without-manifest" => good.File("app.apk", ZipOf("classes.dex")).WriteZip(In("p.zip")),
            "missing-extra-data" => good.File("manifest.yaml", "name: hello\nextra-data:\n  game.obb:\n    target: /sdcard/Android/obb/com.example.hello\n").WriteZip(In("p.zip")),
            "unsupported-type" => Write(In("p.rar"), "Rar!\u001a\u0007\u0000 this is not a package"),
            "duplicate-entry" => DuplicateTar(In("p.tar.gz")),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown bad package"),
        };
    }

    private static string Write(string path, string content)
    {
        File.WriteAllText(path, content);
        return path;
    }

    private static string Truncate(string path)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        return path;
    }

    private static byte[] ZipOf(string entryName)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry(entryName);
        }

        return memory.ToArray();
    }

    /// <summary>A zip whose headers declare 1,000 bytes for an entry that really inflates to 1 MiB.</summary>
    private static string LyingZip(string path)
    {
        TestPackage.Minimal().File("extra-data/zeros.bin", new byte[1024 * 1024]).WriteZip(path, CompressionLevel.Optimal);
        var bytes = File.ReadAllBytes(path);
        var declared = BitConverter.GetBytes(1024 * 1024);
        var lie = BitConverter.GetBytes(1000);
        var patched = 0;
        // Uncompressed size sits at offset 22 of a local header (PK\3\4) and 24 of a central header (PK\1\2).
        for (var i = 0; i + 30 < bytes.Length; i++)
        {
            var local = bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 3 && bytes[i + 3] == 4;
            var central = bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 1 && bytes[i + 3] == 2;
            var offset = local ? i + 22 : central ? i + 24 : -1;
            if (offset > 0 && bytes.AsSpan(offset, 4).SequenceEqual(declared))
            {
                lie.CopyTo(bytes, offset);
                patched++;
            }
        }

        Assert.Equal(2, patched);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string HardLinkTar(string path)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new System.Formats.Tar.TarWriter(gzip);
        tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "manifest.yaml") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("name: hello\n")) });
        tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.HardLink, "extra-data/shadow") { LinkName = "/etc/shadow" });
        return path;
    }

    private static string DuplicateTar(string path)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new System.Formats.Tar.TarWriter(gzip);
        foreach (var name in new[] { "hello", "other" })
        {
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "manifest.yaml") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"name: {name}\n")) });
        }

        return path;
    }
}
