using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>The seed document's "Register clients manually" section, command by command, against real processes.</summary>
public sealed partial class SeedFlowTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_manual_registration_flow_brings_a_published_application_to_a_client_ready_and_immutable()
    {
        await using var site = new Site(output);
        var registry = await site.StartRegistryAsync();
        var publisher = await site.StartAmsAsync("pub");
        var client = await site.StartAmsAsync("cli");
        var serverFingerprint = Certificates.FingerprintOf(registry.ServerCertificate);

        // Configure AMS: the same six commands on both, only registry.mode differs.
        foreach (var (ams, mode) in new[] { (publisher, "push"), (client, "pull") })
        {
            Site.Copy(registry.ServerCertificate, ams.Home, "server.crt");
            var add = await ams.AmcAsync("config", "trust", "add", "server.crt");
            Assert.True(add.ExitCode == 0, add.ToString());
            Assert.StartsWith($"Certificate {serverFingerprint} (", add.Out, StringComparison.Ordinal);

            var list = await ams.AmcAsync("config", "trust", "list");
            Assert.True(list.ExitCode == 0, list.ToString());
            Assert.Matches(@"\| FINGERPRINT\s+\| COMMON NAME \| ISSUE DATE\s+\| EXPIRY DATE\s+\|", list.Out);
            // The fingerprint exactly as the operator reads it in the table is what they type next.
            var shown = TableFingerprint().Match(list.Out).Groups[1].Value;
            Assert.StartsWith(shown, serverFingerprint, StringComparison.Ordinal);

            foreach (var step in new[]
            {
                new[] { "config", "set", "registry.url", registry.Url },
                ["config", "set", "registry.fingerprint", shown],
                ["config", "set", "registry.update_interval", "5m"],
                ["config", "set", "registry.mode", mode],
            })
            {
                var set = await ams.AmcAsync(step);
                Assert.True(set.ExitCode == 0 && set.Out == "" && set.Error == "", set.ToString());
            }

            var show = await ams.AmcAsync("config", "show");
            Assert.Contains($"  registry.fingerprint: {serverFingerprint}\n", show.Out, StringComparison.Ordinal);
            Assert.Contains($"  registry.mode: {mode}\n", show.Out, StringComparison.Ordinal);
            Assert.Contains("  registry.update_interval: 5m\n", show.Out, StringComparison.Ordinal);
            Assert.Contains($"  registry.url: {registry.Url}\n", show.Out, StringComparison.Ordinal);
        }

        // Configure the Registry: `cat client.crt | aar trust add` (here with --publisher) and `aar trust add client.crt`.
        var publisherFingerprint = Certificates.FingerprintOf(publisher.ClientCertificate);
        var clientFingerprint = Certificates.FingerprintOf(client.ClientCertificate);
        Site.Copy(publisher.ClientCertificate, registry.Home, "client.crt");
        var piped = await registry.PipeAsync("client.crt", "trust", "add", "--publisher");
        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.Matches($@"^Trusted certificate {publisherFingerprint} \('.+'\) as publisher\.\n$", piped.Out);
        Site.Copy(client.ClientCertificate, registry.Home, "client.crt");
        var byFile = await registry.AarAsync("trust", "add", "client.crt");
        Assert.True(byFile.ExitCode == 0, byFile.ToString());
        Assert.Matches($@"^Trusted certificate {clientFingerprint} \('.+'\) as client\.\n$", byFile.Out);
        var trusted = await registry.AarAsync("trust", "list", "--format", "json");
        // Listed in the order they were added.
        Assert.Equal(
            [(publisherFingerprint, "publisher"), (clientFingerprint, "client")],
            JsonDocument.Parse(trusted.Out).RootElement.EnumerateArray().Select(e => (e.GetProperty("fingerprint").GetString(), e.GetProperty("role").GetString())));

        // "Finally, reboot the registry": not needed here (trust changes apply at once), and harmless.
        await registry.StartAsync();
        var afterRestart = await registry.AarAsync("trust", "list", "--format", "json");
        Assert.Equal(trusted.Out, afterRestart.Out);

        // Publish on the publisher; one pass each way.
        var create = await publisher.AmcAsync("application", "create", Packages.Small(publisher, "game"));
        Assert.True(create.ExitCode == 0, create.ToString());
        var publish = await publisher.AmcAsync("application", "publish", "game", "0");
        Assert.Equal((0, "Version 0 of 'game' is published.\n"), (publish.ExitCode, publish.Out));
        var source = (await publisher.ShowAsync("game"))!;

        var push = await publisher.AmcAsync("registry", "sync", "--wait");
        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.Contains("\nmode: push\n", push.Out, StringComparison.Ordinal);
        Assert.Contains("\nresult: ok\n", push.Out, StringComparison.Ordinal);
        var held = await registry.AarAsync("application", "list", "--format", "json");
        Assert.Contains($"\"digest\": \"sha256:{source.Versions[0].Sha256}\"", held.Out, StringComparison.Ordinal);

        var pull = await client.AmcAsync("registry", "sync", "--wait");
        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains("mode: pull\n", pull.Out, StringComparison.Ordinal);

        var imported = await client.ShowAsync("game");
        Assert.NotNull(imported);
        Assert.Equal(("ready", true, true), (imported.Status, imported.Immutable, imported.Published));
        Assert.Equal((registry.Url, serverFingerprint), (imported.Origin!.RegistryUrl, imported.Origin.Fingerprint));
        Assert.Equal([(0, "ready", source.Versions[0].Sha256, source.Versions[0].Size)], imported.Versions.Select(v => (v.Number, v.Status, v.Sha256, v.Size)));

        // Immutable: only the registry may change it.
        var update = await client.AmcAsync("application", "update", "game", Packages.Small(client, "game"));
        Assert.NotEqual(0, update.ExitCode);
        Assert.Contains("is managed by the registry", update.Error, StringComparison.Ordinal);
        Assert.Single((await client.ShowAsync("game"))!.Versions);
    }

    [Fact]
    public async Task One_publisher_per_architecture_and_each_client_imports_only_its_own()
    {
        await using var site = new Site(output);
        var registry = await site.StartRegistryAsync();
        var nodes = new Dictionary<string, AmsNode>();
        foreach (var (name, architecture, role) in new[] { ("pub-amd", "amd64", "publisher"), ("pub-arm", "arm64", "publisher"), ("cli-amd", "amd64", "client"), ("cli-arm", "arm64", "client") })
        {
            nodes[name] = await site.StartAmsAsync(name, architecture);
            await Site.JoinAsync(registry, nodes[name], role);
        }

        var amd = (await nodes["pub-amd"].CreateAndPublishAsync("game", Packages.Small(nodes["pub-amd"], "game", "amd64"))).Versions[0].Sha256;
        var arm = (await nodes["pub-arm"].CreateAndPublishAsync("game", Packages.Small(nodes["pub-arm"], "game", "arm64"))).Versions[0].Sha256;
        await nodes["pub-arm"].CreateAndPublishAsync("arm-only", Packages.Small(nodes["pub-arm"], "arm-only"));
        await nodes["pub-amd"].SyncOkAsync();
        await nodes["pub-arm"].SyncOkAsync();

        Assert.Equal(1, (await nodes["cli-amd"].SyncOkAsync()).Downloaded);
        Assert.Equal(2, (await nodes["cli-arm"].SyncOkAsync()).Downloaded);

        var amdGame = (await nodes["cli-amd"].ShowAsync("game"))!;
        var armGame = (await nodes["cli-arm"].ShowAsync("game"))!;
        Assert.Equal(("amd64", amd), (amdGame.Architecture, amdGame.Versions[0].Sha256));
        Assert.Equal(("arm64", arm), (armGame.Architecture, armGame.Versions[0].Sha256));
        Assert.Null(await nodes["cli-amd"].ShowAsync("arm-only"));
        Assert.Equal("ready", (await nodes["cli-arm"].ShowAsync("arm-only"))?.Status);
    }

    [Fact]
    public async Task Aar_trust_help_lists_the_seeds_four_subcommands()
    {
        await using var site = new Site(output);
        var registry = await site.StartRegistryAsync();

        var help = await registry.AarAsync("trust", "--help");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.StartsWith("Description:\n  Manage trusted clients\n", help.Out, StringComparison.Ordinal);
        Assert.Contains("Usage:\n  aar trust [command] [options]\n", help.Out, StringComparison.Ordinal);
        foreach (var (command, description) in new[]
        {
            ("add", "Register a client certificate"),
            ("list", "List currently trusted clients"),
            ("remove", "Remove a trusted certificate"),
            ("revoke", "Revoke a certificate"),
        })
        {
            Assert.Matches(new Regex($@"^  {command}\b.*\s\s+{description}", RegexOptions.Multiline), help.Out);
        }
    }

    [GeneratedRegex(@"^\| ([0-9a-f]{12,64}) \|", RegexOptions.Multiline)]
    private static partial Regex TableFingerprint();
}
