using System.Net;
using System.Security.Cryptography;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>
/// A registry version that fails validation is remembered with its reason and digest: a client does not fetch it on
/// every pass (counted in bytes through a proxy in front of a real registry), shows why, and still takes new versions.
/// </summary>
public sealed class RejectedVersionTests(ITestOutputHelper output)
{
    // Random bytes do not compress: a download of the package moves at least this much through the proxy, while a pass
    // that only lists moves a few KiB (TLS handshake with certificates, the listing).
    private const int Padding = 512 * 1024;

    [Fact]
    public async Task A_rejected_version_is_not_downloaded_again_is_shown_with_its_reason_and_a_new_version_is_imported()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");
        using var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, rig.Registry.Address.Port));
        using var api = client.Client();
        Assert.True((await api.SetConfigAsync("registry.url", $"https://127.0.0.1:{proxy.Port}")).Succeeded);
        await SyncRig.QuiesceAsync(api, "pull");
        using var publisher = await rig.RawPublisherAsync();
        var bad = TestPackage.Minimal("game").File("app.apk", "not an apk").File("pad.bin", RandomNumberGenerator.GetBytes(Padding)).WriteZip(Path.Combine(client.Scratch, "bad.zip"));
        Assert.True((await publisher.PublishFileAsync("game", "amd64", 0, bad)).Succeeded);

        var before = proxy.BytesFromTarget;
        var first = await SyncRig.SyncAsync(client);
        var firstBytes = proxy.BytesFromTarget - before;
        var second = await SyncRig.SyncAsync(client);
        var secondBytes = proxy.BytesFromTarget - before - firstBytes;

        Assert.Equal("failed", first.Result);
        Assert.Contains("Version 0 of 'game' from the registry was rejected: it is not a valid package (", Assert.Single(first.Errors), StringComparison.Ordinal);
        Assert.True(firstBytes > Padding, $"the first pass moved {firstBytes} bytes");
        Assert.Equal(("ok", 0, 1), (second.Result, second.Downloaded, second.Unchanged));
        Assert.True(secondBytes < Padding / 4, $"the second pass moved {secondBytes} bytes: it downloaded the rejected package again");

        var status = (await api.GetRegistryStatusAsync()).Value!;
        var rejected = Assert.Single(status.Rejected!);
        Assert.Equal(("game", 0, "sha256:" + Sha256Of(bad)), (rejected.Application, rejected.Version, rejected.Digest));
        Assert.Contains("app.apk is not a valid APK", rejected.Reason, StringComparison.Ordinal);
        var shown = await api.GetApplicationAsync("game");
        Assert.Equal(404, shown.Problem!.Status);
        Assert.Contains("the registry's versions of it were rejected: version 0", shown.Problem.Detail, StringComparison.Ordinal);
        Assert.Contains("app.apk is not a valid APK", shown.Problem.Detail, StringComparison.Ordinal);

        // The publisher corrects it with a new version: a new digest, imported on the next pass.
        var good = TestPackage.Minimal("game").WriteZip(Path.Combine(client.Scratch, "good.zip"));
        Assert.True((await publisher.PublishFileAsync("game", "amd64", 1, good)).Succeeded);
        var third = await SyncRig.SyncAsync(client);

        Assert.Equal(("ok", 1, 1), (third.Result, third.Downloaded, third.Unchanged));
        var application = (await api.GetApplicationAsync("game")).Value!;
        Assert.Equal("ready", application.Status);
        Assert.Equal([1], application.Versions.Select(v => v.Number));
        Assert.Equal([0], application.Rejected!.Select(r => r.Version));
    }

    [Fact]
    public async Task A_rejected_version_is_tried_again_when_the_registry_lists_another_digest_for_it()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");
        using var publisher = await rig.RawPublisherAsync();
        var bad = TestPackage.Minimal("game").File("app.apk", "not an apk").WriteZip(Path.Combine(client.Scratch, "bad.zip"));
        Assert.True((await publisher.PublishFileAsync("game", "amd64", 0, bad)).Succeeded);
        Assert.Equal("failed", (await SyncRig.SyncAsync(client)).Result);
        var good = TestPackage.Minimal("game").WriteZip(Path.Combine(client.Scratch, "good.zip"));
        var digest = Aar.Protocol.Registry.BlobDigest.Of(await File.ReadAllBytesAsync(good));
        await using (var file = File.OpenRead(good))
        {
            Assert.True((await publisher.UploadBlobAsync(file, digest, file.Length)).Succeeded);
        }

        // The registry's API never changes a version's digest; its database can, and the AMS must follow it then.
        await rig.Registry.StopAsync();
        await using (var database = await rig.Registry.Database.OpenAsync())
        {
            await using var command = database.CreateCommand();
            command.CommandText = $"""
                UPDATE registry_state SET generation = generation + 1;
                UPDATE versions SET digest = '{digest}', size = {new FileInfo(good).Length}, generation = (SELECT generation FROM registry_state)
                    WHERE name = 'game' AND version = 0;
                """;
            Assert.Equal(2, await command.ExecuteNonQueryAsync());
        }

        await rig.Registry.RestartAsync(keepPort: true);
        var report = await SyncRig.SyncAsync(client);

        Assert.Equal(("ok", 1), (report.Result, report.Downloaded));
        var application = (await SyncRig.FindAsync(client, "game"))!;
        Assert.Equal(("ready", digest.Hex), (application.Versions.Single().Status, application.Versions.Single().Sha256));
        Assert.Null(application.Rejected);
        using var api = client.Client();
        Assert.Null((await api.GetRegistryStatusAsync()).Value!.Rejected);
    }

    [Fact]
    public async Task Retry_forgets_the_rejection_and_downloads_the_version_once_more()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");
        using var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, rig.Registry.Address.Port));
        using var api = client.Client();
        Assert.True((await api.SetConfigAsync("registry.url", $"https://127.0.0.1:{proxy.Port}")).Succeeded);
        await SyncRig.QuiesceAsync(api, "pull");
        using var publisher = await rig.RawPublisherAsync();
        var bad = TestPackage.Minimal("other-name").File("pad.bin", RandomNumberGenerator.GetBytes(Padding)).WriteZip(Path.Combine(client.Scratch, "bad.zip"));
        Assert.True((await publisher.PublishFileAsync("game", "amd64", 0, bad)).Succeeded);
        Assert.Equal("failed", (await SyncRig.SyncAsync(client)).Result);

        var before = proxy.BytesFromTarget;
        var retried = await api.RetryRegistryAsync("game");
        var nothingToRetry = await api.RetryRegistryAsync("unknown");

        Assert.Equal("failed", retried.Value!.Result);
        Assert.Contains("the package's manifest names 'other-name', not 'game'", Assert.Single(retried.Value.Errors), StringComparison.Ordinal);
        Assert.True(proxy.BytesFromTarget - before > Padding, "retry did not download the version again");
        Assert.Single((await api.GetRegistryStatusAsync()).Value!.Rejected!);
        Assert.Equal(404, nothingToRetry.Problem!.Status);
    }

    [Fact]
    public async Task A_version_over_the_package_size_limit_is_rejected_before_any_byte_is_fetched()
    {
        await using var rig = await SyncRig.StartAsync(output);
        await using var client = await AmsTestDaemon.StartAsync(output, maxPackageBytes: Padding);
        using var api = client.Client();
        Assert.True((await api.JoinRegistryAsync(await rig.TokenAsync("client"))).Succeeded);
        await SyncRig.QuiesceAsync(api, "pull");
        using var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, rig.Registry.Address.Port));
        Assert.True((await api.SetConfigAsync("registry.url", $"https://127.0.0.1:{proxy.Port}")).Succeeded);
        await SyncRig.QuiesceAsync(api, "pull");
        using var publisher = await rig.RawPublisherAsync();
        var large = TestPackage.Minimal("game").File("pad.bin", RandomNumberGenerator.GetBytes(2 * Padding)).WriteZip(Path.Combine(client.Scratch, "large.zip"));
        Assert.True((await publisher.PublishFileAsync("game", "amd64", 0, large)).Succeeded);

        var before = proxy.BytesFromTarget;
        var report = await SyncRig.SyncAsync(client);

        Assert.Contains($"larger than this AMS's package size limit of {Padding} bytes", Assert.Single(report.Errors), StringComparison.Ordinal);
        Assert.True(proxy.BytesFromTarget - before < Padding / 4, "the package was downloaded");
        Assert.Single((await api.GetRegistryStatusAsync()).Value!.Rejected!);
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
