using Aar.Protocol.Management;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>What goes wrong between an AMS and its registry: each fault is reported, and nothing is lost or half-imported.</summary>
public sealed class SyncFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_second_publisher_cannot_take_over_an_application_and_its_other_applications_still_go_through()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var first = await rig.JoinAsync("publisher");
        var second = await rig.JoinAsync("publisher");
        await SyncRig.CreateAsync(first, "game");
        await SyncRig.SyncAsync(first);
        await SyncRig.CreateAsync(second, "game");
        await SyncRig.CreateAsync(second, "other");

        var report = await SyncRig.SyncAsync(second);

        Assert.Equal("partial", report.Result);
        Assert.Equal(1, report.Uploaded);
        var conflict = Assert.Single(report.Conflicts);
        Assert.Contains("'game' (amd64) on the registry belongs to publisher", conflict, StringComparison.Ordinal);
        using var client = second.Client();
        var status = (await client.GetRegistryStatusAsync()).Value!;
        Assert.Equal(report.Number, status.LastPass!.Number);
        Assert.Equal(report.Conflicts, status.LastPass.Conflicts);
    }

    [Fact]
    public async Task A_client_never_overwrites_a_local_application_with_the_same_name()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        await SyncRig.CreateAsync(client, "game", publish: false);
        var mine = (await SyncRig.FindAsync(client, "game"))!;

        var report = await SyncRig.SyncAsync(client);

        Assert.Equal("partial", report.Result);
        Assert.Contains("A local application named 'game' exists", Assert.Single(report.Conflicts), StringComparison.Ordinal);
        var after = (await SyncRig.FindAsync(client, "game"))!;
        Assert.False(after.Immutable);
        Assert.Equal(mine.Versions.Single().Sha256, after.Versions.Single().Sha256);
    }

    [Fact]
    public async Task A_server_with_another_certificate_is_refused_with_both_fingerprints()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");
        using var other = TestCertificates.Client("not-the-registry");
        using var local = client.Client();
        Assert.True((await local.AddTrustAsync(TestCertificates.Pem(other))).Succeeded);
        Assert.True((await local.SetConfigAsync("registry.fingerprint", TestCertificates.FingerprintOf(other))).Succeeded);

        var report = await SyncRig.SyncAsync(client);

        Assert.Equal("failed", report.Result);
        var error = Assert.Single(report.Errors);
        Assert.Contains($"presented certificate {rig.Registry.ServerFingerprint}, but registry.fingerprint is {TestCertificates.FingerprintOf(other)}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ams_removed_from_the_registry_trust_is_told_so_in_words()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");
        await SyncRig.SyncAsync(client);
        using (var admin = rig.Registry.Admin())
        {
            Assert.True((await admin.RemoveAsync(client.Host.ClientFingerprint)).Succeeded);
        }

        var report = await SyncRig.SyncAsync(client);

        Assert.Equal("failed", report.Result);
        Assert.StartsWith($"The registry refused this AMS: The registry does not trust certificate {client.Host.ClientFingerprint}", Assert.Single(report.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listing_whose_generation_went_backwards_is_refused_and_nothing_is_deleted()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        await SyncRig.SyncAsync(client);
        // The registry is "restored from an old backup": same certificate and address, empty database.
        await rig.Registry.StopAsync();
        // Pooled connections of the stopped in-process server would keep the old file alive.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(rig.Registry.DataDirectory, "aar.db*"))
        {
            File.Delete(file);
        }

        await rig.Registry.RestartAsync(keepPort: true);
        using (var admin = rig.Registry.Admin())
        {
            await admin.AddAsync(new Aar.Protocol.Admin.AddTrustRequest { Certificate = File.ReadAllText(client.Host.ClientCertificatePath) });
        }

        var report = await SyncRig.SyncAsync(client);

        Assert.Equal("failed", report.Result);
        Assert.Contains("older than generation", Assert.Single(report.Errors), StringComparison.Ordinal);
        Assert.Equal(2, (await SyncRig.FindAsync(client, "game"))!.Versions.Count);
    }

    [Fact]
    public async Task Corrupted_bytes_from_the_registry_are_discarded_and_the_version_is_not_imported()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        var blob = Directory.GetFiles(Path.Combine(rig.Registry.DataDirectory, "blobs", "sha256"), "*", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(blob);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(blob, bytes);

        var report = await SyncRig.SyncAsync(client);

        Assert.Equal("failed", report.Result);
        Assert.Contains("hash to", Assert.Single(report.Errors), StringComparison.Ordinal);
        Assert.Null(await SyncRig.FindAsync(client, "game"));
    }

    [Fact]
    public async Task Deleting_the_last_application_on_the_publisher_empties_it_on_the_registry_too()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        using (var local = publisher.Client())
        {
            Assert.True((await local.DeleteApplicationAsync("game", force: false)).Succeeded);
        }

        var report = await SyncRig.SyncAsync(publisher);

        Assert.Equal(("ok", 1), (report.Result, report.Deleted));
        using var admin = rig.Registry.Admin();
        Assert.Empty((await admin.ListApplicationsAsync()).Value!.Applications);
        // The record did its job and is gone: the next pass has nothing to remove.
        var next = await SyncRig.SyncAsync(publisher);
        Assert.Equal(("ok", 0), (next.Result, next.Deleted));
        Assert.Equal(0L, await CountAsync(publisher, "SELECT count(*) FROM local_deletions"));
    }

    [Fact]
    public async Task A_deleted_version_is_removed_from_the_registry_and_the_others_stay()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        await SyncRig.CreateAsync(publisher, "game");
        Assert.Equal(1, await SyncRig.CreateAsync(publisher, "game"));
        Assert.Equal(2, (await SyncRig.SyncAsync(publisher)).Uploaded);
        using var local = publisher.Client();
        Assert.True((await local.DeleteVersionAsync("game", 0, force: false)).Succeeded);

        var report = await SyncRig.SyncAsync(publisher);

        Assert.Equal(("ok", 1), (report.Result, report.Deleted));
        using var admin = rig.Registry.Admin();
        Assert.Equal([1], Assert.Single((await admin.ListApplicationsAsync()).Value!.Applications).Versions.Select(v => v.Version));
    }

    [Fact]
    public async Task A_restored_database_that_lost_the_publishers_applications_never_removes_them_from_the_registry()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.CreateAsync(publisher, "keep");
        Assert.Equal(2, (await SyncRig.SyncAsync(publisher)).Uploaded);

        // An older backup restored: the registry settings are there, the applications (and any record of deleting
        // them) are not.
        await publisher.StopAsync();
        await ExecuteAsync(publisher, "DELETE FROM versions; DELETE FROM applications; DELETE FROM local_deletions;");
        await publisher.RestartAsync();
        var report = await SyncRig.SyncAsync(publisher);

        Assert.Equal(("partial", 0), (report.Result, report.Deleted));
        Assert.Equal(2, report.Conflicts.Count);
        Assert.All(report.Conflicts, c => Assert.Contains("this AMS has no record of it (was its database replaced or restored?); nothing was removed there", c, StringComparison.Ordinal));
        Assert.Contains(report.Conflicts, c => c.Contains("'aar application delete game -a amd64'", StringComparison.Ordinal));
        using var admin = rig.Registry.Admin();
        Assert.Equal(["game", "keep"], (await admin.ListApplicationsAsync()).Value!.Applications.Select(a => a.Name).Order());
    }

    private static async Task ExecuteAsync(AmsTestDaemon daemon, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(daemon.DataDirectory, "ams.db")};Pooling=false");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(AmsTestDaemon daemon, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(daemon.DataDirectory, "ams.db")};Pooling=false");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Manual_mode_syncs_nothing_by_itself_but_moves_one_application_on_demand()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        using var publisherApi = publisher.Client();
        using var clientApi = client.Client();
        Assert.True((await publisherApi.SetConfigAsync("registry.mode", "manual")).Succeeded);
        Assert.True((await clientApi.SetConfigAsync("registry.mode", "manual")).Succeeded);
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.CreateAsync(publisher, "other");

        var sync = await publisherApi.SyncAsync(wait: true);
        var push = await publisherApi.PushApplicationAsync("game");
        var pull = await clientApi.PullApplicationAsync("game");

        Assert.Contains("registry.mode is manual", sync.Problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(("ok", 1), (push.Value!.Result, push.Value.Uploaded));
        Assert.Equal(("ok", 1), (pull.Value!.Result, pull.Value.Downloaded));
        Assert.NotNull(await SyncRig.FindAsync(client, "game"));
        Assert.Null(await SyncRig.FindAsync(client, "other"));
        using var admin = rig.Registry.Admin();
        Assert.Equal(["game"], (await admin.ListApplicationsAsync()).Value!.Applications.Select(a => a.Name));
    }

    [Fact]
    public async Task Passes_follow_the_update_interval_on_the_clock_and_a_new_interval_reschedules()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client", time: time);
        using var api = client.Client();
        var first = await WaitForPassAsync(api, after: 0);
        var scheduled = (await api.GetRegistryStatusAsync()).Value!.NextPassAt!.Value;
        Assert.InRange(scheduled - time.GetUtcNow(), TimeSpan.FromHours(1), TimeSpan.FromHours(1) + TimeSpan.FromSeconds(31));

        time.Advance(TimeSpan.FromMinutes(30));
        await Task.Delay(200);
        Assert.Equal(first, (await api.GetRegistryStatusAsync()).Value!.LastPass!.Number);
        time.Advance(TimeSpan.FromMinutes(31));
        var second = await WaitForPassAsync(api, after: first);

        Assert.True((await api.SetConfigAsync("registry.update_interval", "5m")).Succeeded);
        var third = await WaitForPassAsync(api, after: second);
        var next = (await api.GetRegistryStatusAsync()).Value!.NextPassAt!.Value;
        Assert.InRange(next - time.GetUtcNow(), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(16));
        Assert.True(third > second);
    }

    [Fact]
    public async Task Join_refuses_a_malformed_token_and_changes_nothing()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var api = daemon.Client();

        var joined = await api.JoinRegistryAsync("not-a-token");

        Assert.Contains("The join token is malformed", joined.Problem!.Detail, StringComparison.Ordinal);
        Assert.Equal("", (await api.GetConfigAsync()).Value!.Config["registry.url"]);
        Assert.Empty((await api.ListTrustAsync()).Value!);
    }

    private static async Task<long> WaitForPassAsync(ManagementClient api, long after)
    {
        for (var i = 0; i < 200; i++)
        {
            var status = (await api.GetRegistryStatusAsync()).Value!;
            if (status.LastPass is { } last && last.Number > after && status.NextPassAt is not null)
            {
                return last.Number;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No sync pass after pass {after}.");
    }

    [Fact]
    public async Task A_publisher_certificate_never_pulls_and_a_client_certificate_never_pushes()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var owner = await rig.JoinAsync("publisher");
        await SyncRig.CreateAsync(owner, "game");
        await SyncRig.SyncAsync(owner);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        using var publisherApi = publisher.Client();
        using var clientApi = client.Client();
        Assert.True((await publisherApi.SetConfigAsync("registry.mode", "pull")).Succeeded);
        Assert.True((await clientApi.SetConfigAsync("registry.mode", "push")).Succeeded);

        var pulled = await SyncRig.SyncAsync(publisher);
        var pushed = await SyncRig.SyncAsync(client);

        Assert.Equal("failed", pulled.Result);
        Assert.Contains("trusts this AMS as a publisher", Assert.Single(pulled.Errors), StringComparison.Ordinal);
        Assert.Null(await SyncRig.FindAsync(publisher, "game"));
        Assert.Equal("failed", pushed.Result);
        Assert.Contains("trusts this AMS as a read-only client", Assert.Single(pushed.Errors), StringComparison.Ordinal);
    }
}
