using Aar.Protocol.Management;
using Ams.Daemon.Packages;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

/// <summary>Measures process-wide allocation, so its tests run alone, never beside another test's allocations.</summary>
[CollectionDefinition(nameof(AllocationMeasured), DisableParallelization = true)]
public sealed class AllocationMeasured;

[Collection(nameof(AllocationMeasured))]
public sealed class HostilePackageTests(ITestOutputHelper output) : IDisposable
{
    // Far below the 300 MiB the hostile entries declare: what reading them into memory would have cost.
    private const long AllocationBound = 48L * 1024 * 1024;

    private static readonly PackageLimits Limits = new() { MaxPackageBytes = 2L << 30, MaxExpandedBytes = 2L << 30 };

    private readonly TempDirectory _directory = new("hostile");

    [Theory]
    [InlineData('L', "a tar GNU long-name ('L') entry declares 314572800 bytes; at most 65536 are allowed for tar metadata")]
    [InlineData('K', "a tar GNU long-link ('K') entry declares 314572800 bytes")]
    [InlineData('x', "a tar PAX extended-header ('x') entry declares 314572800 bytes")]
    [InlineData('g', "a tar PAX global-header ('g') entry declares 314572800 bytes")]
    public async Task A_compressed_tar_with_a_huge_metadata_entry_is_refused_at_its_header(char type, string message)
    {
        var path = HostilePackages.HugeMetadataTarGz(_directory.Combine("p.tar.gz"), type);
        Assert.True(new FileInfo(path).Length < 2 * 1024 * 1024);

        var (result, allocated) = await InspectMeasuredAsync(path, "p.tar.gz");

        Assert.Contains("p.tar.gz: " + message, result.Error?.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task A_bzip2_tar_with_a_long_name_over_the_limit_is_refused_at_its_header()
    {
        var path = HostilePackages.LongNameTarBz2(_directory.Combine("p.tar.bz2"), 1024 * 1024);

        var (result, _) = await InspectMeasuredAsync(path, "p.tar.bz2");

        Assert.Equal("p.tar.bz2: a tar GNU long-name ('L') entry declares 1048576 bytes; at most 65536 are allowed for tar metadata, so the archive is refused before reading it.", result.Error?.Message);
    }

    [Fact]
    public async Task A_plain_tar_with_a_huge_long_name_is_refused_before_the_reader_starts()
    {
        var path = HostilePackages.HugeLongNameTar(_directory.Combine("p.tar"));

        var (result, allocated) = await InspectMeasuredAsync(path, "p.tar");

        Assert.Equal("p.tar: a tar GNU long-name ('L') entry declares 314572800 bytes; at most 65536 are allowed for tar metadata, so the archive is refused before reading it.", result.Error?.Message);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_long_name_hidden_behind_a_pax_size_override_is_still_found(bool gzip)
    {
        var name = gzip ? "p.tar.gz" : "p.tar";
        var path = HostilePackages.LongNameBehindPaxSize(_directory.Combine(name), gzip);

        var (result, allocated) = await InspectMeasuredAsync(path, name);

        Assert.Equal($"{name}: a tar GNU long-name ('L') entry declares 314572800 bytes; at most 65536 are allowed for tar metadata, so the archive is refused before reading it.", result.Error?.Message);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task A_zip_claiming_ten_million_entries_is_refused_from_its_end_records()
    {
        var path = HostilePackages.ZipClaimingEntries(_directory.Combine("p.zip"), 10_000_000);

        var (result, allocated) = await InspectMeasuredAsync(path, "p.zip");

        Assert.Equal("p.zip declares 10000000 entries in its zip directory, more than the 100000 allowed; that is not an application package.", result.Error?.Message);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task An_apk_claiming_ten_million_entries_is_refused_from_its_end_records()
    {
        var path = HostilePackages.ApkClaimingEntries(_directory.Combine("p.zip"), 10_000_000);

        var (result, allocated) = await InspectMeasuredAsync(path, "p.zip");

        Assert.Equal("p.zip: app.apk declares 10000000 entries in its zip directory, more than the 100000 allowed; that is not an application package.", result.Error?.Message);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public async Task A_zip_claiming_a_huge_central_directory_is_refused_from_its_end_record()
    {
        var path = HostilePackages.ZipClaimingDirectoryBytes(_directory.Combine("p.zip"), 1u << 30);

        var (result, _) = await InspectMeasuredAsync(path, "p.zip");

        Assert.Equal("p.zip declares a zip directory of 1073741824 bytes, more than the 33554432 allowed; that is not an application package.", result.Error?.Message);
    }

    [Fact]
    public async Task A_manifest_nested_two_hundred_thousand_levels_is_refused_with_the_limit_named()
    {
        var path = HostilePackages.DeepManifestZip(_directory.Combine("p.zip"));
        Assert.True(new FileInfo(path).Length < 4096);

        var (result, allocated) = await InspectMeasuredAsync(path, "p.zip");

        Assert.Equal("manifest.yaml line 2, column 22: nested more than 16 levels deep; a manifest needs at most 3 (the limit is 16).", result.Error?.Message);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public void A_manifest_with_too_many_nodes_is_refused_with_the_limit_named()
    {
        var manifest = "name: hello\ntags: [" + string.Join(',', Enumerable.Repeat("a", 60_000)) + "]\n";

        var error = Assert.Throws<PackageException>(() => ManifestParser.Parse(System.Text.Encoding.UTF8.GetBytes(manifest), hasApk: false));

        Assert.Equal("manifest.yaml line 2: more than 50000 values, keys and lists; a manifest holds a few dozen (the limit is 50000).", error.Message);
    }

    [Fact]
    public void A_manifest_over_the_size_limit_is_refused_before_parsing()
    {
        var error = Assert.Throws<PackageException>(() => ManifestParser.Parse(new byte[ManifestParser.MaxBytes + 1], hasApk: false));

        Assert.Equal("manifest.yaml is 1048577 bytes; a manifest must be at most 1048576 bytes.", error.Message);
    }

    [Fact]
    public async Task The_daemon_refuses_each_hostile_package_and_keeps_answering()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();

        var deep = await Uploads.ImportAsync(client, HostilePackages.DeepManifestZip(Path.Combine(daemon.Scratch, "deep.zip")));
        var longName = await Uploads.ImportAsync(client, HostilePackages.HugeMetadataTarGz(Path.Combine(daemon.Scratch, "long.tar.gz"), 'L'));
        var entries = await Uploads.ImportAsync(client, HostilePackages.ZipClaimingEntries(Path.Combine(daemon.Scratch, "many.zip"), 10_000_000));

        Assert.Equal((OperationInfo.Failure, 400), (deep.Status, deep.ErrCode));
        Assert.Contains("nested more than 16 levels deep", deep.Err, StringComparison.Ordinal);
        Assert.Equal((OperationInfo.Failure, 400), (longName.Status, longName.ErrCode));
        Assert.Contains("long.tar.gz: a tar GNU long-name ('L') entry declares 314572800 bytes", longName.Err, StringComparison.Ordinal);
        Assert.Equal((OperationInfo.Failure, 400), (entries.Status, entries.ErrCode));
        Assert.Contains("many.zip declares 10000000 entries", entries.Err, StringComparison.Ordinal);
        var good = await Uploads.ImportOkAsync(client, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "good.zip")));
        Assert.Equal(OperationInfo.Success, good.Status);
    }

    public void Dispose() => _directory.Dispose();

    private async Task<(Api.Result<Aar.Protocol.Management.ManifestInfo> Result, long Allocated)> InspectMeasuredAsync(string path, string name)
    {
        var temp = Directory.CreateDirectory(_directory.Combine("tmp")).FullName;
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await PackageInspector.InspectAsync(path, name, Limits, temp, CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"{name}: {result.Error?.Message ?? "accepted"}; {allocated} bytes allocated");
        return (result, allocated);
    }
}
