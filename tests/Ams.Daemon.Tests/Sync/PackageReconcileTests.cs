using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>
/// At start the daemon checks every ready version's package file: an imported one that is missing or damaged is
/// fetched again by the next pull; a local one cannot be, and says so.
/// </summary>
public sealed class PackageReconcileTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("delete")]
    [InlineData("truncate")]
    public async Task A_missing_or_damaged_package_of_an_imported_version_is_fetched_again_after_a_restart(string damage)
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        await SyncRig.SyncAsync(client);
        var version = (await SyncRig.FindAsync(client, "game"))!.Versions.Single();
        var file = Path.Combine(client.DataDirectory, "packages", "sha256", version.Sha256);
        var original = await File.ReadAllBytesAsync(file);

        await client.StopAsync();
        Damage(file, damage);
        await client.RestartAsync();
        using var api = client.Client();
        await SyncRig.QuiesceAsync(api, "pull");
        var report = await SyncRig.SyncAsync(client);

        var after = (await SyncRig.FindAsync(client, "game"))!.Versions.Single();
        Assert.Equal(("ready", null, version.Sha256, true), (after.Status, after.ErrorMessage, after.Sha256, after.Published));
        Assert.Equal(original, await File.ReadAllBytesAsync(file));
        Assert.NotEqual("failed", report.Result);
    }

    [Theory]
    [InlineData("delete", "was missing when the daemon started")]
    [InlineData("truncate", "bytes, not")]
    public async Task A_local_version_whose_package_is_gone_is_marked_error_after_a_restart(string damage, string expected)
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using (var api = daemon.Client())
        {
            await Uploads.ImportOkAsync(api, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip")));
        }

        var version = (await SyncRig.FindAsync(daemon, "hello"))!.Versions.Single();
        await daemon.StopAsync();
        Damage(Path.Combine(daemon.DataDirectory, "packages", "sha256", version.Sha256), damage);
        await daemon.RestartAsync();

        var after = (await SyncRig.FindAsync(daemon, "hello"))!;
        Assert.Equal("error", after.Status);
        Assert.Contains(expected, after.Versions.Single().ErrorMessage, StringComparison.Ordinal);
        Assert.EndsWith("it cannot be fetched again: delete this version and upload the package again", after.Versions.Single().ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_publisher_whose_package_file_is_gone_does_not_remove_the_version_from_the_registry()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        var version = (await SyncRig.FindAsync(publisher, "game"))!.Versions.Single();

        await publisher.StopAsync();
        Damage(Path.Combine(publisher.DataDirectory, "packages", "sha256", version.Sha256), "delete");
        await publisher.RestartAsync();
        using var api = publisher.Client();
        await SyncRig.QuiesceAsync(api, "push");
        var report = await SyncRig.SyncAsync(publisher);

        var after = (await SyncRig.FindAsync(publisher, "game"))!.Versions.Single();
        Assert.Equal(("error", true), (after.Status, after.Published));
        Assert.Equal(0, report.Deleted);
        using var admin = rig.Registry.Admin();
        Assert.Equal([0], (await admin.ListApplicationsAsync()).Value!.Applications.Single().Versions.Select(v => v.Version));
    }

    private static void Damage(string file, string how)
    {
        if (how == "delete")
        {
            File.Delete(file);
        }
        else
        {
            using var stream = new FileStream(file, FileMode.Open);
            stream.SetLength(stream.Length / 2);
        }
    }
}
