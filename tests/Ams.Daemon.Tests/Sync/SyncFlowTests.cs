using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>The seed's flow: a publisher pushes what it publishes, clients pull it, deletes propagate.</summary>
public sealed class SyncFlowTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_published_version_reaches_a_client_ready_and_immutable_and_unpublished_ones_never_leave()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game", publish: true);
        await SyncRig.CreateAsync(publisher, "draft", publish: false);

        var pushed = await SyncRig.SyncAsync(publisher);
        var pulled = await SyncRig.SyncAsync(client);

        Assert.Equal(("ok", 1), (pushed.Result, pushed.Uploaded));
        Assert.Equal(("ok", 1), (pulled.Result, pulled.Downloaded));
        var game = await SyncRig.FindAsync(client, "game");
        Assert.NotNull(game);
        Assert.True(game.Immutable);
        Assert.Equal("ready", game.Status);
        Assert.Equal($"https://127.0.0.1:{rig.Registry.Address.Port}", game.Origin!.RegistryUrl);
        Assert.Equal(rig.Registry.ServerFingerprint, game.Origin.Fingerprint);
        var source = await SyncRig.FindAsync(publisher, "game");
        Assert.Equal(source!.Versions[0].Sha256, game.Versions[0].Sha256);
        Assert.Null(await SyncRig.FindAsync(client, "draft"));
        using var admin = rig.Registry.Admin();
        Assert.Equal(["game"], (await admin.ListApplicationsAsync()).Value!.Applications.Select(a => a.Name));
    }

    [Fact]
    public async Task A_second_pass_with_nothing_new_is_unchanged_and_transfers_nothing()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        await SyncRig.SyncAsync(client);

        var pushedAgain = await SyncRig.SyncAsync(publisher);
        var pulledAgain = await SyncRig.SyncAsync(client);

        Assert.Equal(("ok", 0, 1), (pushedAgain.Result, pushedAgain.Uploaded, pushedAgain.Unchanged));
        Assert.Equal(("unchanged", 0), (pulledAgain.Result, pulledAgain.Downloaded));
    }

    [Fact]
    public async Task Deleting_on_the_publisher_removes_it_from_the_registry_and_then_from_the_client()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.CreateAsync(publisher, "keep");
        await SyncRig.SyncAsync(publisher);
        await SyncRig.SyncAsync(client);
        using (var local = publisher.Client())
        {
            Assert.True((await local.DeleteApplicationAsync("game", force: false)).Succeeded);
        }

        var pushed = await SyncRig.SyncAsync(publisher);
        var pulled = await SyncRig.SyncAsync(client);

        Assert.Equal(1, pushed.Deleted);
        Assert.Equal(1, pulled.Deleted);
        Assert.Null(await SyncRig.FindAsync(client, "game"));
        Assert.NotNull(await SyncRig.FindAsync(client, "keep"));
    }

    [Fact]
    public async Task Revoking_a_version_removes_that_version_everywhere_and_new_versions_follow()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        await SyncRig.SyncAsync(client);
        Assert.Equal([0, 1], (await SyncRig.FindAsync(client, "game"))!.Versions.Select(v => v.Number));
        using (var local = publisher.Client())
        {
            Assert.True((await local.SetPublishedAsync("game", 0, false)).Succeeded);
        }

        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        await SyncRig.SyncAsync(client);

        Assert.Equal([1, 2], (await SyncRig.FindAsync(client, "game"))!.Versions.Select(v => v.Number));
    }

    [Fact]
    public async Task Clients_import_only_their_own_architecture()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var amd64 = await rig.JoinAsync("publisher", "amd64");
        var arm64 = await rig.JoinAsync("publisher", "arm64");
        var amd64Client = await rig.JoinAsync("client", "amd64");
        var arm64Client = await rig.JoinAsync("client", "arm64");
        await SyncRig.CreateAsync(amd64, "game");
        await SyncRig.CreateAsync(arm64, "game");
        await SyncRig.CreateAsync(arm64, "arm-only");
        await SyncRig.SyncAsync(amd64);
        await SyncRig.SyncAsync(arm64);

        await SyncRig.SyncAsync(amd64Client);
        await SyncRig.SyncAsync(arm64Client);

        var amdGame = await SyncRig.FindAsync(amd64Client, "game");
        var armGame = await SyncRig.FindAsync(arm64Client, "game");
        Assert.Equal((await SyncRig.FindAsync(amd64, "game"))!.Versions[0].Sha256, amdGame!.Versions[0].Sha256);
        Assert.Equal((await SyncRig.FindAsync(arm64, "game"))!.Versions[0].Sha256, armGame!.Versions[0].Sha256);
        Assert.Null(await SyncRig.FindAsync(amd64Client, "arm-only"));
        Assert.NotNull(await SyncRig.FindAsync(arm64Client, "arm-only"));
    }

    [Fact]
    public async Task The_filter_pulls_only_applications_with_one_of_its_tags()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game", tags: "[game]");
        await SyncRig.CreateAsync(publisher, "tool", tags: "[tool]");
        await SyncRig.SyncAsync(publisher);
        using (var local = client.Client())
        {
            Assert.True((await local.SetConfigAsync("registry.filter", "tool,other")).Succeeded);
        }

        await SyncRig.SyncAsync(client);

        Assert.Null(await SyncRig.FindAsync(client, "game"));
        Assert.NotNull(await SyncRig.FindAsync(client, "tool"));
    }

    [Fact]
    public async Task Name_patterns_select_next_to_tags_and_a_wider_filter_imports_at_the_next_pass_without_a_new_publish()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "racing-one", tags: "[game]");
        await SyncRig.CreateAsync(publisher, "racing-two", tags: "[tool]");
        await SyncRig.CreateAsync(publisher, "chess", tags: "[game]");
        await SyncRig.SyncAsync(publisher);
        using var local = client.Client();

        // Tagged game and named racing-*: both must hold. (Setting the filter starts a pass; this waits for one after it.)
        Assert.True((await local.SetConfigAsync("registry.filter", "game,name=racing-*")).Succeeded);
        await SyncRig.SyncAsync(client);
        Assert.Equal(["racing-one"], await ImportedAsync(client));
        Assert.Equal("unchanged", (await SyncRig.SyncAsync(client)).Result);

        // The registry has not changed (it would answer 304), but the filter has: the pass lists in full.
        Assert.True((await local.SetConfigAsync("registry.filter", "name=racing-*,name=ch?ss")).Succeeded);
        await SyncRig.SyncAsync(client);

        Assert.Equal(["chess", "racing-one", "racing-two"], await ImportedAsync(client));
    }

    private static async Task<List<string>> ImportedAsync(AmsTestDaemon daemon)
    {
        using var client = daemon.Client();
        return [.. (await client.ListApplicationsAsync()).Value!.Where(a => a.Immutable).Select(a => a.Name).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task A_forced_local_delete_of_an_imported_application_is_undone_by_the_next_pull()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        await SyncRig.SyncAsync(client);
        using (var local = client.Client())
        {
            Assert.True((await local.DeleteApplicationAsync("game", force: true)).Succeeded);
        }

        var pulled = await SyncRig.SyncAsync(client);

        Assert.Equal(("ok", 1), (pulled.Result, pulled.Downloaded));
        Assert.True((await SyncRig.FindAsync(client, "game"))!.Immutable);
    }
}
