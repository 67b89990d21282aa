using System.Text.Json;
using Aar.Cli.Common;
using TestSupport;
using Xunit.Abstractions;

namespace Amc.Cli.Tests;

/// <summary><c>amc registry …</c> in-process against real daemons and a real registry.</summary>
public sealed class RegistryCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Join_configures_everything_the_manual_steps_do()
    {
        await using var rig = await SyncRig.StartAsync(output);
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var token = await rig.TokenAsync("publisher");

        var join = await Amc.RunAsync(daemon.DataDirectory, ["registry", "join", token]);
        var config = await Amc.RunAsync(daemon.DataDirectory, ["config", "show", "--format", "json"]);
        var trust = await Amc.RunAsync(daemon.DataDirectory, ["config", "trust", "list", "--format", "json"]);

        Assert.Equal(ExitCodes.Ok, join.ExitCode);
        Assert.StartsWith($"Joined the registry at https://127.0.0.1:{rig.Registry.Address.Port} as publisher (server fingerprint {rig.Registry.ServerFingerprint}); registry.mode is now push.", join.Out, StringComparison.Ordinal);
        using var configJson = JsonDocument.Parse(config.Out);
        var values = configJson.RootElement.GetProperty("config");
        Assert.Equal($"https://127.0.0.1:{rig.Registry.Address.Port}", values.GetProperty("registry.url").GetString());
        Assert.Equal(rig.Registry.ServerFingerprint, values.GetProperty("registry.fingerprint").GetString());
        Assert.Equal("push", values.GetProperty("registry.mode").GetString());
        Assert.Contains(rig.Registry.ServerFingerprint, trust.Out, StringComparison.Ordinal);
        using var admin = rig.Registry.Admin();
        var trusted = Assert.Single((await admin.ListTrustedAsync()).Value!);
        Assert.Equal((daemon.Host.ClientFingerprint, "publisher"), (trusted.Fingerprint, trusted.Role));
    }

    [Fact]
    public async Task Join_with_a_used_token_says_so_and_changes_nothing()
    {
        await using var rig = await SyncRig.StartAsync(output);
        await using var first = await AmsTestDaemon.StartAsync(output);
        await using var second = await AmsTestDaemon.StartAsync(output);
        var token = await rig.TokenAsync("client");
        Assert.Equal(ExitCodes.Ok, (await Amc.RunAsync(first.DataDirectory, ["registry", "join", token])).ExitCode);

        var again = await Amc.RunAsync(second.DataDirectory, ["registry", "join", token]);
        var status = await Amc.RunAsync(second.DataDirectory, ["registry", "status", "--format", "json"]);

        Assert.NotEqual(ExitCodes.Ok, again.ExitCode);
        Assert.Contains("unknown or was already used", again.Error, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(status.Out);
        Assert.Equal("", json.RootElement.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Sync_wait_prints_the_report_and_status_and_list_show_the_registry()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        await SyncRig.CreateAsync(publisher, "game");

        var sync = await Amc.RunAsync(publisher.DataDirectory, ["registry", "sync", "--wait"]);
        var status = await Amc.RunAsync(publisher.DataDirectory, ["registry", "status"]);
        var list = await Amc.RunAsync(publisher.DataDirectory, ["registry", "list", "--format", "csv"]);

        Assert.Equal(ExitCodes.Ok, sync.ExitCode);
        Assert.Contains("result: ok", sync.Out, StringComparison.Ordinal);
        Assert.Contains("uploaded: 1", sync.Out, StringComparison.Ordinal);
        Assert.Contains("mode: push", status.Out, StringComparison.Ordinal);
        Assert.Contains($"client_fingerprint: {publisher.Host.ClientFingerprint}", status.Out, StringComparison.Ordinal);
        Assert.Matches(@"\nnext_pass_at: 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ\n", status.Out);
        Assert.Equal("NAME,ARCHITECTURE,VERSIONS,LATEST,TAGS,OWNER,LOCAL", list.Out.Split('\n')[0]);
        Assert.Equal($"game,amd64,1,0,\"game,demo\",{publisher.Host.ClientFingerprint},local", list.Out.Split('\n')[1]);
    }

    [Fact]
    public async Task Registry_list_exits_2_as_documented_when_the_registry_refuses_this_AMS_or_cannot_be_reached()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");
        Assert.Equal(ExitCodes.Ok, (await Amc.RunAsync(client.DataDirectory, ["registry", "list"])).ExitCode);

        var revoke = await rig.Registry.Admin().RevokeAsync(client.Host.ClientFingerprint);
        Assert.True(revoke.Succeeded, revoke.Problem?.Detail);
        var refused = await Amc.RunAsync(client.DataDirectory, ["registry", "list"]);

        await rig.Registry.StopAsync();
        var unreachable = await Amc.RunAsync(client.DataDirectory, ["registry", "list"]);

        Assert.Equal(ExitCodes.Unreachable, refused.ExitCode);
        Assert.Contains("revoked", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unreachable, unreachable.ExitCode);
        Assert.StartsWith("Error: ", unreachable.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_renew_makes_a_new_identity_that_syncs_once_the_registry_trusts_it_without_a_restart()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");
        var registryDirectory = Path.Combine(client.DataDirectory, "registry");
        var old = client.Host.ClientFingerprint;

        var declined = await Amc.RunAsync(client.DataDirectory, ["registry", "certificate", "renew"], stdin: "n\n");
        Assert.Equal((ExitCodes.Cancelled, old), (declined.ExitCode, client.Host.ClientFingerprint));

        var renew = await Amc.RunAsync(client.DataDirectory, ["registry", "certificate", "renew", "--yes"]);

        Assert.Equal(ExitCodes.Ok, renew.ExitCode);
        var renewed = client.Host.ClientFingerprint;
        Assert.NotEqual(old, renewed);
        Assert.Contains($"New registry client certificate {renewed} (ams-", renew.Out, StringComparison.Ordinal);
        Assert.Contains("  cat client.crt | aar trust add\n", renew.Out, StringComparison.Ordinal);
        Assert.Contains($"aar trust remove {old[..12]}", renew.Out, StringComparison.Ordinal);
        using (var previous = Aar.Protocol.Certificates.CertificateFiles.LoadPair(Path.Combine(registryDirectory, "client.crt.previous"), Path.Combine(registryDirectory, "client.key.previous")))
        {
            Assert.Equal(old, Aar.Protocol.Certificates.Fingerprint.Of(previous).Hex);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(registryDirectory, "client.key.previous")));

        // Until the registry trusts the new certificate, asking it fails as documented ...
        Assert.Equal(ExitCodes.Unreachable, (await Amc.RunAsync(client.DataDirectory, ["registry", "list"])).ExitCode);
        using var admin = rig.Registry.Admin();
        var added = await admin.AddAsync(new Aar.Protocol.Admin.AddTrustRequest { Certificate = await File.ReadAllTextAsync(Path.Combine(registryDirectory, "client.crt")) });
        Assert.True(added.Succeeded, added.Problem?.Detail);

        // ... and once it does, the running daemon talks to it with the new identity.
        Assert.Equal(ExitCodes.Ok, (await Amc.RunAsync(client.DataDirectory, ["registry", "list"])).ExitCode);
        using var api = client.Client();
        Assert.Equal(renewed, (await api.GetRegistryStatusAsync()).Value!.ClientFingerprint);
        Assert.Equal(renewed, (await api.GetStatusAsync()).Value!.ClientFingerprint);
    }

    [Fact]
    public async Task Sync_without_a_registry_says_what_to_set()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);

        var sync = await Amc.RunAsync(daemon.DataDirectory, ["registry", "sync", "--wait"]);

        Assert.Equal(ExitCodes.Conflict, sync.ExitCode);
        Assert.Contains("registry.url is not set", sync.Error, StringComparison.Ordinal);
        Assert.Contains("amc registry join <token>", sync.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_on_a_client_is_refused_with_the_reason()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");

        var push = await Amc.RunAsync(client.DataDirectory, ["registry", "push", "game"]);

        Assert.Equal(ExitCodes.Conflict, push.ExitCode);
        Assert.Contains("registry.mode is pull", push.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_and_show_name_a_rejected_version_and_retry_tries_it_again()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");
        using var publisher = await rig.RawPublisherAsync();
        Assert.True((await publisher.PublishFileAsync("game", "amd64", 0, TestPackage.Minimal("game").WriteZip(Path.Combine(client.Scratch, "good.zip")))).Succeeded);
        Assert.True((await publisher.PublishFileAsync("game", "amd64", 1, TestPackage.Minimal("game").File("app.apk", "not an apk").WriteZip(Path.Combine(client.Scratch, "bad.zip")))).Succeeded);

        var sync = await Amc.RunAsync(client.DataDirectory, ["registry", "sync", "--wait"]);
        var status = await Amc.RunAsync(client.DataDirectory, ["registry", "status"]);
        var table = await Amc.RunAsync(client.DataDirectory, ["registry", "status", "--format", "table"]);
        var show = await Amc.RunAsync(client.DataDirectory, ["application", "show", "game"]);
        var retry = await Amc.RunAsync(client.DataDirectory, ["registry", "retry", "game"]);
        var nothing = await Amc.RunAsync(client.DataDirectory, ["registry", "retry", "other"]);

        Assert.Equal(ExitCodes.Conflict, sync.ExitCode);
        Assert.Contains("Version 1 of 'game' from the registry was rejected: it is not a valid package", sync.Out, StringComparison.Ordinal);
        Assert.Contains("rejected:", status.Out, StringComparison.Ordinal);
        Assert.Contains("app.apk is not a valid APK", status.Out, StringComparison.Ordinal);
        Assert.Matches(@"\| last_pass\s+\| (failed|partial) \(pull, finished \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)", table.Out);
        Assert.Matches(@"\| REJECTED \| VERSION \| SIZE\s+\| REJECTED AT\s+\| REASON\s+\|", table.Out);
        Assert.Matches(@"\| game\s+\| 1\s+\| \d+(\.\d)? (B|KiB)\s+\| \d{4}-", table.Out);
        Assert.Equal(ExitCodes.Ok, show.ExitCode);
        Assert.Contains("rejected:", show.Out, StringComparison.Ordinal);
        Assert.Contains("app.apk is not a valid APK", show.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Conflict, retry.ExitCode);
        Assert.Contains("Version 1 of 'game' from the registry was rejected", retry.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, nothing.ExitCode);
        Assert.Contains("No rejected registry version of 'other' is remembered", nothing.Error, StringComparison.Ordinal);
    }
}
