using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib.BZip2;

namespace TestSupport;

/// <summary>One entry of a <see cref="TestPackage"/>: a file, a directory or a symbolic link, with any name (even unsafe ones).</summary>
public sealed record TestEntry(string Name, byte[]? Content = null, string? LinkTarget = null, bool IsDirectory = false);

/// <summary>
/// Builds application packages at run time, as .zip, .tar.gz, .tar.bz2 or a directory, from a list of entries, so a
/// test can make exactly the good or bad package it needs (unsafe names, links, broken manifests, fake APKs).
/// </summary>
public sealed class TestPackage
{
    private readonly List<TestEntry> _entries = [];

    public IReadOnlyList<TestEntry> Entries => _entries;

    /// <summary>A valid package: manifest.yaml naming <paramref name="name"/> and an app.apk holding AndroidManifest.xml.</summary>
    public static TestPackage Minimal(string name = "hello") => new TestPackage()
        .File("manifest.yaml", $"name: {name}\nversion: \"1.0\"\ninstance-type: a2.3\nboot-package: com.example.{name.Replace('-', '_').Replace('.', '_')}\ntags: [game, demo]\n")
        .File("app.apk", Apk());

    /// <summary>The smallest APK the daemon accepts: a ZIP with AndroidManifest.xml.</summary>
    public static byte[] Apk(params (string Name, byte[] Content)[] extra)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (entryName, content) in new[] { ("AndroidManifest.xml", Encoding.UTF8.GetBytes("<manifest/>")), ("classes.dex", new byte[] { 0x64, 0x65, 0x78, 0x0a }) }.Concat(extra))
            {
                using var stream = zip.CreateEntry(entryName).Open();
                stream.Write(content);
            }
        }

        return memory.ToArray();
    }

    public TestPackage File(string name, string content) => File(name, Encoding.UTF8.GetBytes(content));

    public TestPackage File(string name, byte[] content)
    {
        _entries.RemoveAll(e => e.Name == name);
        _entries.Add(new TestEntry(name, content));
        return this;
    }

    public TestPackage Directory(string name)
    {
        _entries.Add(new TestEntry(name, IsDirectory: true));
        return this;
    }

    public TestPackage Link(string name, string target)
    {
        _entries.Add(new TestEntry(name, LinkTarget: target));
        return this;
    }

    public TestPackage Without(string name)
    {
        _entries.RemoveAll(e => e.Name == name);
        return this;
    }

    public string WriteZip(string path, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var entry in _entries)
        {
            var zipEntry = zip.CreateEntry(entry.IsDirectory ? entry.Name.TrimEnd('/') + "/" : entry.Name, level);
            if (entry.LinkTarget is not null)
            {
                zipEntry.ExternalAttributes = unchecked((int)0xA1FF0000);
            }

            using var stream = zipEntry.Open();
            stream.Write(entry.LinkTarget is null ? entry.Content ?? [] : Encoding.UTF8.GetBytes(entry.LinkTarget));
        }

        return path;
    }

    public string WriteTarGz(string path)
    {
        using var file = System.IO.File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        WriteTar(gzip);
        return path;
    }

    public string WriteTar(string path)
    {
        using var file = System.IO.File.Create(path);
        WriteTar(file);
        return path;
    }

    public string WriteTarBz2(string path)
    {
        using var file = System.IO.File.Create(path);
        using var bzip2 = new BZip2OutputStream(file);
        WriteTar(bzip2);
        return path;
    }

    public string WriteDirectory(string path)
    {
        System.IO.Directory.CreateDirectory(path);
        foreach (var entry in _entries)
        {
            var target = Path.Combine(path, entry.Name);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (entry.IsDirectory)
            {
                System.IO.Directory.CreateDirectory(target);
            }
            else if (entry.LinkTarget is not null)
            {
                System.IO.File.CreateSymbolicLink(target, entry.LinkTarget);
            }
            else
            {
                System.IO.File.WriteAllBytes(target, entry.Content ?? []);
            }
        }

        return path;
    }

    private void WriteTar(Stream output)
    {
        using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var entry in _entries)
        {
            if (entry.IsDirectory)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, entry.Name.TrimEnd('/') + "/"));
            }
            else if (entry.LinkTarget is not null)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, entry.Name) { LinkName = entry.LinkTarget });
            }
            else
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entry.Name) { DataStream = new MemoryStream(entry.Content ?? []) });
            }
        }
    }
}
