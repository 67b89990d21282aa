using Aar.Protocol.Management;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

public sealed class ApplicationLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_update_publish_revoke_and_delete_over_the_socket()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        string In(string file) => Path.Combine(daemon.Scratch, file);

        var created = await Uploads.ImportOkAsync(client, TestPackage.Minimal().WriteZip(In("v0.zip")));
        var id = created.Metadata["id"];
        Assert.Equal(("hello", "0"), (created.Metadata["name"], created.Metadata["version"]));
        Assert.Equal(20, id.Length);
        Assert.Equal([$"/1.0/applications/{id}"], created.Resources["applications"]);

        var v1 = await Uploads.ImportOkAsync(client, TestPackage.Minimal().File("extra-data/a.txt", "1").WriteTarGz(In("v1.tar.gz")), "hello");
        var v2 = await Uploads.ImportOkAsync(client, TestPackage.Minimal().File("extra-data/b.txt", "2").WriteTarBz2(In("v2.tar.bz2")), id);
        Assert.Equal(("1", "2"), (v1.Metadata["version"], v2.Metadata["version"]));

        var shown = (await client.GetApplicationAsync("hello")).Value!;
        Assert.Equal((id, "hello", "ready", false, false, "amd64"), (shown.Id, shown.Name, shown.Status, shown.Published, shown.Immutable, shown.Architecture));
        Assert.Equal(("a2.3", "com.example.hello"), (shown.InstanceType, shown.BootPackage));
        Assert.Equal(["game", "demo"], shown.Tags);
        Assert.Equal([0, 1, 2], shown.Versions.Select(v => v.Number));
        Assert.All(shown.Versions, v => Assert.Equal(("ready", false, true), (v.Status, v.Published, v.Manifest.HasApk)));
        Assert.Equal(Sha256(In("v1.tar.gz")), shown.Versions[1].Sha256);

        var published = await client.SetPublishedAsync("hello", 1, true);
        Assert.True(published.Value!.Published);
        Assert.Equal([false, true, false], published.Value.Versions.Select(v => v.Published));
        var listed = await client.ListApplicationsAsync(new Dictionary<string, string> { ["published"] = "true" });
        Assert.Equal(id, Assert.Single(listed.Value!).Id);

        var revoked = await client.SetPublishedAsync(id, 1, false);
        Assert.False(revoked.Value!.Published);

        var afterDelete = await client.DeleteVersionAsync("hello", 2, force: false);
        Assert.Equal([0, 1], afterDelete.Value!.Versions.Select(v => v.Number));
        var v3 = await Uploads.ImportOkAsync(client, TestPackage.Minimal().WriteTar(In("v3.tar")), "hello");
        Assert.Equal("3", v3.Metadata["version"]);

        var deleted = await client.DeleteApplicationAsync("hello", force: false);
        Assert.Equal(id, deleted.Value!.Id);
        await PackageValidationTests.AssertNothingStoredAsync(daemon, client);
    }

    [Fact]
    public async Task The_same_content_is_stored_once_and_kept_while_a_version_uses_it()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        var path = TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip"));
        await Uploads.ImportOkAsync(client, path);
        await Uploads.ImportOkAsync(client, path, "hello");
        var store = Path.Combine(daemon.DataDirectory, "packages", "sha256");

        Assert.Equal([Sha256(path)], Directory.GetFiles(store).Select(Path.GetFileName));
        await client.DeleteVersionAsync("hello", 0, force: false);
        Assert.Single(Directory.GetFiles(store));
        await client.DeleteApplicationAsync("hello", force: false);
        Assert.Empty(Directory.GetFiles(store));
    }

    [Fact]
    public async Task Auto_publish_publishes_new_versions()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        await client.SetConfigAsync("application.auto_publish", "true");

        await Uploads.ImportOkAsync(client, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip")));

        Assert.True((await client.GetApplicationAsync("hello")).Value!.Versions[0].Published);
    }

    [Fact]
    public async Task Refusals_name_the_application_or_version_and_change_nothing()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        var path = TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip"));
        await Uploads.ImportOkAsync(client, path);
        var before = (await client.GetApplicationAsync("hello")).Value!;

        var duplicate = await Uploads.ImportAsync(client, path);
        var otherName = await Uploads.ImportAsync(client, TestPackage.Minimal("other").WriteZip(Path.Combine(daemon.Scratch, "o.zip")), "hello");
        var unknownUpdate = await client.UploadPackageAsync(new ByteArrayContent([1]), "x.zip", "nope");
        var unknownShow = await client.GetApplicationAsync("nope");
        var unknownVersion = await client.SetPublishedAsync("hello", 7, true);
        var unknownDelete = await client.DeleteApplicationAsync("nope", force: false);
        var lastVersion = await client.DeleteVersionAsync("hello", 0, force: false);
        var badFilter = await client.ListApplicationsAsync(new Dictionary<string, string> { ["colour"] = "blue" });

        Assert.Equal((409, "An application named 'hello' already exists; add a new version to it with 'amc application update hello p.zip'."), (duplicate.ErrCode, duplicate.Err));
        Assert.Equal("o.zip: manifest.yaml names 'other', but you are updating 'hello'; the manifest's name must match the application.", otherName.Err);
        Assert.Equal((404, "Application 'nope' does not exist; see 'amc application list' for the ids and names."), (unknownUpdate.Problem!.Status, unknownUpdate.Problem.Detail));
        Assert.Equal(404, unknownShow.Problem!.Status);
        Assert.Equal((404, "Application 'hello' has no version 7; its versions are 0."), (unknownVersion.Problem!.Status, unknownVersion.Problem.Detail));
        Assert.Equal(404, unknownDelete.Problem!.Status);
        Assert.Equal((409, "Version 0 is the only version of 'hello', and an application keeps at least one; delete the whole application with 'amc application delete hello' instead."), (lastVersion.Problem!.Status, lastVersion.Problem.Detail));
        Assert.Contains("Unknown filter 'colour'", badFilter.Problem!.Detail, StringComparison.Ordinal);
        var after = (await client.GetApplicationAsync("hello")).Value!;
        Assert.Equal(before.Versions.Select(v => (v.Number, v.Published, v.Sha256)), after.Versions.Select(v => (v.Number, v.Published, v.Sha256)));
        Assert.Single((await client.ListApplicationsAsync()).Value!);
    }

    [Fact]
    public async Task A_refused_update_leaves_no_version_and_does_not_use_up_a_number()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        await Uploads.ImportOkAsync(client, TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "v0.zip")));

        var refused = await Uploads.ImportAsync(client, TestPackage.Minimal().File("app.apk", "not a zip").WriteZip(Path.Combine(daemon.Scratch, "bad.zip")), "hello");
        var versions = (await client.GetApplicationAsync("hello")).Value!.Versions.Select(v => v.Number);
        var next = await Uploads.ImportOkAsync(client, TestPackage.Minimal().WriteTarGz(Path.Combine(daemon.Scratch, "v1.tar.gz")), "hello");

        Assert.Contains("app.apk is not a valid APK", refused.Err, StringComparison.Ordinal);
        Assert.Equal([0], versions);
        Assert.Equal("1", next.Metadata["version"]);
    }

    [Fact]
    public async Task A_large_package_shows_initializing_while_it_is_checked_then_ready()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        var path = TestPackage.Minimal().File("extra-data/noise.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(96 * 1024 * 1024))
            .WriteTarGz(Path.Combine(daemon.Scratch, "big.tar.gz"));

        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file);
        var started = await client.UploadPackageAsync(content, "big.tar.gz");
        var seen = new List<string>();
        while ((await client.GetOperationAsync(started.Value!.Id)).Value!.Status == OperationInfo.Running)
        {
            if ((await client.GetApplicationAsync("hello")).Value is { } application)
            {
                seen.Add(application.Status);
            }
        }

        Assert.Equal("initializing", seen.First());
        Assert.Equal("ready", (await client.GetApplicationAsync("hello")).Value!.Status);
    }

    [Fact]
    public async Task Stopping_the_daemon_during_an_import_leaves_nothing_half_created()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var path = TestPackage.Minimal().File("extra-data/noise.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(96 * 1024 * 1024))
            .WriteTarGz(Path.Combine(daemon.Scratch, "big.tar.gz"));
        using (var client = daemon.Client())
        {
            await using var file = File.OpenRead(path);
            using var content = new StreamContent(file);
            var started = await client.UploadPackageAsync(content, "big.tar.gz");
            Assert.True(started.Succeeded, started.Problem?.Detail);
            while ((await client.GetApplicationAsync("hello")).Value?.Status != "initializing")
            {
                Assert.Equal(OperationInfo.Running, (await client.GetOperationAsync(started.Value!.Id)).Value!.Status);
            }
        }

        await daemon.RestartAsync();

        using var again = daemon.Client();
        await PackageValidationTests.AssertNothingStoredAsync(daemon, again);
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_give_one_application_and_one_clear_refusal()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        var first = TestPackage.Minimal().File("extra-data/a", "1").WriteZip(Path.Combine(daemon.Scratch, "a.zip"));
        var second = TestPackage.Minimal().File("extra-data/b", "2").WriteTarGz(Path.Combine(daemon.Scratch, "b.tar.gz"));

        var results = await Task.WhenAll(Uploads.ImportAsync(client, first), Uploads.ImportAsync(client, second));

        Assert.Single(results, r => r.Status == OperationInfo.Success);
        var refused = Assert.Single(results, r => r.Status == OperationInfo.Failure);
        Assert.Equal(409, refused.ErrCode);
        var application = Assert.Single((await client.ListApplicationsAsync()).Value!);
        Assert.Equal([0], application.Versions.Select(v => v.Number));
        Assert.Single(Directory.GetFiles(Path.Combine(daemon.DataDirectory, "packages", "sha256")));
    }

    [Fact]
    public async Task Unknown_route_answers_with_the_error_envelope()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var http = Aar.Protocol.Http.UnixSocketHttp.CreateClient(daemon.Host.SocketPath);

        using var response = await http.GetAsync("/1.0/nothing-here");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("{\"type\":\"error\",\"error_code\":404,\"error\":\"There is no GET /1.0/nothing-here in the AMS API; see docs/ams.md.\"}", await response.Content.ReadAsStringAsync());
    }

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
    }
}
