using Aar.Protocol.Management;
using Ams.Daemon.Applications;
using Ams.Daemon.Storage;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

/// <summary>The internal import the registry sync feature uses: immutable applications, refused packages.</summary>
public sealed class RegistryImportTests(ITestOutputHelper output)
{
    private static readonly ApplicationOrigin Origin = new() { RegistryUrl = "https://192.168.178.45:3000", Fingerprint = new string('a', 64) };

    [Fact]
    public async Task Imported_application_is_immutable_shows_its_origin_and_refuses_changes()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        var imported = await ImportAsync(daemon, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip")), 4, published: true);
        Assert.True(imported.Succeeded && imported.Value!.Rejection is null, imported.Error?.Message ?? imported.Value?.Rejection);

        var shown = (await client.GetApplicationAsync("hello")).Value!;
        Assert.True(shown.Immutable);
        Assert.Equal(Origin, shown.Origin);
        Assert.Equal((4, "ready", true), (shown.Versions[0].Number, shown.Versions[0].Status, shown.Versions[0].Published));

        var update = await client.UploadPackageAsync(new ByteArrayContent([1]), "p.zip", "hello");
        var publish = await client.SetPublishedAsync("hello", 4, true);
        var revoke = await client.SetPublishedAsync("hello", 4, false);
        var delete = await client.DeleteApplicationAsync("hello", force: false);
        var deleteVersion = await client.DeleteVersionAsync("hello", 4, force: false);

        Assert.Equal("Application 'hello' is managed by the registry at https://192.168.178.45:3000 and cannot be updated here; change it on the publishing AMS instead.", update.Problem!.Detail);
        Assert.Contains("cannot be published here", publish.Problem!.Detail, StringComparison.Ordinal);
        Assert.Contains("cannot be revoked here", revoke.Problem!.Detail, StringComparison.Ordinal);
        Assert.Equal("Application 'hello' is managed by the registry at https://192.168.178.45:3000; delete it there, or pass --force to delete it here anyway (the next pull imports it again while the registry still has it).", delete.Problem!.Detail);
        Assert.All(new[] { update.Problem, publish.Problem, revoke.Problem, delete.Problem, deleteVersion.Problem }, p => Assert.Equal(409, p!.Status));

        var forced = await client.DeleteApplicationAsync("hello", force: true);
        Assert.True(forced.Succeeded);
        Assert.Empty((await client.ListApplicationsAsync()).Value!);
    }

    [Fact]
    public async Task An_invalid_registry_package_is_refused_with_its_reason_and_leaves_nothing_behind()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        await ImportAsync(daemon, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "good.zip")), 0, published: false);
        var bad = await ImportAsync(daemon, TestPackage.Minimal().File("app.apk", "not an apk").WriteZip(Path.Combine(daemon.Scratch, "bad.zip")), 1, published: true);

        Assert.Null(bad.Value!.Application);
        Assert.Contains("app.apk is not a valid APK", bad.Value.Rejection, StringComparison.Ordinal);
        var shown = (await client.GetApplicationAsync("hello")).Value!;
        Assert.Equal("ready", shown.Status);
        Assert.Equal([0], shown.Versions.Select(v => v.Number));
        Assert.Empty(Directory.GetFiles(Path.Combine(daemon.DataDirectory, "packages", "staging")));
        Assert.Single(Directory.GetFiles(Path.Combine(daemon.DataDirectory, "packages", "sha256")));
    }

    [Fact]
    public async Task Publishing_an_error_version_of_a_local_application_is_refused()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        await Uploads.ImportOkAsync(client, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip")));
        var versions = daemon.Host.Services.GetRequiredService<ApplicationDatabase>();
        var id = (await client.GetApplicationAsync("hello")).Value!.Id;
        await versions.SetStatusAsync(id, 0, VersionStatus.Error, "bootstrap failed: the instance did not start", false, DateTimeOffset.UtcNow, CancellationToken.None);

        var publish = await client.SetPublishedAsync("hello", 0, true);

        Assert.Equal(409, publish.Problem!.Status);
        Assert.Equal("Version 0 of 'hello' is in status error (bootstrap failed: the instance did not start) and cannot be published; upload a working package with 'amc application update hello <package>'.", publish.Problem.Detail);
    }

    [Fact]
    public async Task A_version_interrupted_by_a_restart_ends_in_error_with_the_reason()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        await Uploads.ImportOkAsync(client, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip")));
        var id = (await client.GetApplicationAsync("hello")).Value!.Id;
        await daemon.Host.Services.GetRequiredService<ApplicationDatabase>().SetStatusAsync(id, 0, VersionStatus.Initializing, null, false, DateTimeOffset.UtcNow, CancellationToken.None);

        await daemon.RestartAsync();
        using var again = daemon.Client();
        var version = (await again.GetApplicationAsync("hello")).Value!.Versions[0];

        Assert.Equal(("error", "the daemon stopped while this version was being imported; delete the version and upload the package again"), (version.Status, version.ErrorMessage));
    }

    [Fact]
    public async Task A_local_application_is_never_replaced_by_a_registry_one()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        var path = TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip"));
        await Uploads.ImportOkAsync(client, path);

        var imported = await ImportAsync(daemon, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "r.zip")), 0, published: true);

        Assert.Equal(409, imported.Error!.Code);
        Assert.False((await client.GetApplicationAsync("hello")).Value!.Immutable);
    }

    private static async Task<Api.Result<RegistryImport>> ImportAsync(AmsTestDaemon daemon, string path, int number, bool published)
    {
        var packages = daemon.Host.Services.GetRequiredService<PackageStore>();
        await using var file = File.OpenRead(path);
        var staged = await packages.ReceiveAsync(file, long.MaxValue, Path.GetFileName(path), CancellationToken.None);
        var service = daemon.Host.Services.GetRequiredService<ApplicationCatalog>();
        return await service.ImportFromRegistryAsync(staged.Value!, "hello", number, published, Origin, CancellationToken.None);
    }
}
