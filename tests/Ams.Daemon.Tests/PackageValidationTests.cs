using Aar.Protocol.Management;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

public sealed class PackageValidationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("missing-manifest", "p.zip has no manifest.yaml at its top level; every package needs one")]
    [InlineData("nested-manifest", "p.zip has no manifest.yaml at its top level (found hello/manifest.yaml); package the contents of the application directory")]
    [InlineData("empty-manifest", "manifest.yaml is empty: it needs at least a 'name' key")]
    [InlineData("corrupt-manifest", "manifest.yaml line 2: invalid YAML after this line")]
    [InlineData("manifest-not-a-mapping", "manifest.yaml line 1: the manifest must be a mapping of keys")]
    [InlineData("manifest-without-name", "manifest.yaml has no 'name'")]
    [InlineData("duplicate-key", "manifest.yaml line 3, column 1: invalid YAML (Duplicate key name).")]
    [InlineData("tab-indented", "manifest.yaml line 3: indented with a tab; YAML indents with spaces only.")]
    [InlineData("not-utf8", "manifest.yaml is not UTF-8 text; save it as UTF-8.")]
    [InlineData("unknown-key", "manifest.yaml line 3: unknown key 'colour'; allowed keys are name, version,")]
    [InlineData("bad-name", "manifest.yaml line 1: 'name' is 'hello world!'; use only letters, digits, '_', '.' and '-'")]
    [InlineData("long-name", "manifest.yaml line 1: 'name' is 65 characters long; at most 64 are allowed.")]
    [InlineData("long-version", "manifest.yaml line 2: 'version' is 51 characters long; at most 50 are allowed.")]
    [InlineData("bad-instance-type", "manifest.yaml line 2: 'instance-type' is 'z9.9'; use one of a2.3")]
    [InlineData("bad-boot-package", "manifest.yaml line 2: 'boot-package' is 'nodots', not an Android package name")]
    [InlineData("bad-resources", "manifest.yaml line 3: 'resources.cpus' is '0'; use a whole number from 1 to 1024.")]
    [InlineData("bad-extra-data-target", "'extra-data.a.obb.target' is '/etc/passwd'; it must be under /sdcard/Android/obb/")]
    [InlineData("dotdot-zip", "p.zip: entry '../evil.txt' escapes the package with '..'")]
    [InlineData("dotdot-tar", "p.tar.gz: entry 'extra-data/../../evil.txt' escapes the package with '..'")]
    [InlineData("absolute-tar", "p.tar.gz: entry '/etc/evil' is an absolute path")]
    [InlineData("symlink-zip", "p.zip: entry 'extra-data/passwd' is a symbolic link; packages may not contain links")]
    [InlineData("symlink-tar", "p.tar.bz2: entry 'extra-data/up' is a link to '../../../etc'; packages may not contain links")]
    [InlineData("hardlink-tar", "p.tar.gz: entry 'extra-data/shadow' is a link to '/etc/shadow'")]
    [InlineData("zip-bomb-declared", "p.zip")]
    [InlineData("truncated-zip", "p.zip is not a valid zip archive")]
    [InlineData("truncated-tar", "the archive is truncated or corrupt")]
    [InlineData("truncated-plain-tar", "p.tar: entry 'extra-data/big.bin' declares 200000 bytes but the archive ends before them; the archive is truncated or corrupt.")]
    [InlineData("apk-not-zip", "p.zip: app.apk is not a valid APK (it is not a ZIP archive)")]
    [InlineData("apk-without-manifest", "p.zip: app.apk has no AndroidManifest.xml at its root")]
    [InlineData("missing-extra-data", "p.zip: manifest.yaml names extra-data 'game.obb' but the package has no extra-data/game.obb")]
    [InlineData("unsupported-type", "p.rar is not a supported package: expected a .zip, .tar, .tar.gz or .tar.bz2 archive, or a directory.")]
    [InlineData("duplicate-entry", "p.tar.gz: entry 'manifest.yaml' appears twice")]
    public async Task Bad_package_is_refused_with_a_clear_message_and_nothing_is_left_behind(string package, string message)
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        var path = BadPackages.Build(package, daemon.Scratch);

        var done = await Uploads.ImportAsync(client, path);

        Assert.Equal(OperationInfo.Failure, done.Status);
        Assert.Equal(400, done.ErrCode);
        Assert.Contains(message, done.Err, StringComparison.Ordinal);
        await AssertNothingStoredAsync(daemon, client);
    }

    [Fact]
    public async Task A_zip_entry_that_expands_past_its_declared_size_is_named()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();

        var done = await Uploads.ImportAsync(client, BadPackages.Build("zip-bomb-declared", daemon.Scratch));

        Assert.Equal("p.zip: entry 'extra-data/zeros.bin' fails its CRC-32 check (it declares 1000 bytes but holds other data); the archive is corrupt or a zip bomb.", done.Err);
    }

    [Theory]
    [InlineData("gzip-bomb")]
    [InlineData("apk-bomb")]
    [InlineData("zip-expands-too-far")]
    public async Task Packages_that_expand_past_the_limit_are_refused(string kind)
    {
        const long limit = 256 * 1024;
        await using var daemon = await AmsTestDaemon.StartAsync(output, maxPackageBytes: limit);
        using var client = daemon.Client();
        var zeros = new byte[4 * 1024 * 1024];
        var path = kind switch
        {
            "gzip-bomb" => TestPackage.Minimal().File("extra-data/zeros.bin", zeros).WriteTarGz(Path.Combine(daemon.Scratch, "p.tar.gz")),
            "apk-bomb" => TestPackage.Minimal().File("app.apk", TestPackage.Apk(("assets/zeros.bin", zeros))).WriteZip(Path.Combine(daemon.Scratch, "p.zip")),
            _ => TestPackage.Minimal().File("extra-data/zeros.bin", zeros).WriteZip(Path.Combine(daemon.Scratch, "p.zip"), System.IO.Compression.CompressionLevel.Optimal),
        };
        Assert.True(new FileInfo(path).Length < limit);

        var done = await Uploads.ImportAsync(client, path);

        Assert.Equal(OperationInfo.Failure, done.Status);
        Assert.Contains(kind == "apk-bomb" ? "app.apk declares more than 262144 bytes of content" : "expands to more than 262144 bytes", done.Err, StringComparison.Ordinal);
        await AssertNothingStoredAsync(daemon, client);
    }

    [Fact]
    public async Task Package_over_the_size_limit_is_refused_before_anything_is_stored()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output, maxPackageBytes: 64 * 1024);
        using var client = daemon.Client();
        var path = TestPackage.Minimal().File("extra-data/noise.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(200_000))
            .WriteZip(Path.Combine(daemon.Scratch, "big.zip"));

        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file);
        var started = await client.UploadPackageAsync(content, "big.zip");

        Assert.Equal(413, started.Problem!.Status);
        Assert.Contains("big.zip is", started.Problem.Detail, StringComparison.Ordinal);
        Assert.Contains("larger than this AMS's package size limit of 65536 bytes", started.Problem.Detail, StringComparison.Ordinal);
        await AssertNothingStoredAsync(daemon, client);
    }

    [Fact]
    public async Task Package_of_unknown_length_over_the_limit_is_refused_while_streaming()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output, maxPackageBytes: 64 * 1024);
        using var client = daemon.Client();
        var body = System.Security.Cryptography.RandomNumberGenerator.GetBytes(300_000);

        using var content = new StreamContent(new UnknownLengthStream(body));
        var started = await client.UploadPackageAsync(content, "stream.tar.gz");

        Assert.Equal(413, started.Problem!.Status);
        Assert.Contains("stream.tar.gz is larger than 65536 bytes", started.Problem.Detail, StringComparison.Ordinal);
        await AssertNothingStoredAsync(daemon, client);
    }

    [Fact]
    public async Task Empty_upload_is_refused()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();

        using var content = new ByteArrayContent([]);
        var started = await client.UploadPackageAsync(content, "nothing.zip");

        Assert.Equal(400, started.Problem!.Status);
        Assert.Equal("nothing.zip is empty: expected a .zip, .tar, .tar.gz or .tar.bz2 package.", started.Problem.Detail);
    }

    [Fact]
    public async Task An_upload_cut_off_midway_leaves_nothing_behind_and_the_daemon_carries_on()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();

        using var content = new StreamContent(new FailingStream(3 * 1024 * 1024));
        content.Headers.ContentLength = 10 * 1024 * 1024;
        var started = await client.UploadPackageAsync(content, "cut.zip");

        Assert.False(started.Succeeded);
        var staging = Path.Combine(daemon.DataDirectory, "packages", "staging");
        for (var i = 0; i < 100 && Directory.EnumerateFileSystemEntries(staging).Any(); i++)
        {
            await Task.Delay(50);
        }

        await AssertNothingStoredAsync(daemon, client);
        await Uploads.ImportOkAsync(client, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip")));
    }

    internal static async Task AssertNothingStoredAsync(AmsTestDaemon daemon, ManagementClient client)
    {
        Assert.Empty((await client.ListApplicationsAsync()).Value!);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(daemon.DataDirectory, "packages", "sha256")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(daemon.DataDirectory, "packages", "staging")));
    }

    /// <summary>A body sent chunked (no Content-Length), as amc sends a directory.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    /// <summary>Delivers some bytes, then fails as a dying client would.</summary>
    private sealed class FailingStream(int failAfter) : Stream
    {
        private int _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _sent; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_sent >= failAfter)
            {
                throw new IOException("the client died");
            }

            var n = Math.Min(count, failAfter - _sent);
            Array.Fill(buffer, (byte)'x', offset, n);
            _sent += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
